// A seeded pseudo-random source (mulberry32), so a chaos run's workload and fault schedule can
// be replayed with the seed it printed. Not for secrets: keys and passwords use node:crypto.

export function makeRandom(seed) {
    let state = seed >>> 0;
    const next = () => {
        state = (state + 0x6d2b79f5) >>> 0;
        let t = state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    return {
        next,
        /** An integer in [low, high]. */
        int: (low, high) => low + Math.floor(next() * (high - low + 1)),
        pick: (items) => items[Math.floor(next() * items.length)],
        shuffle(items) {
            const copy = [...items];
            for (let i = copy.length - 1; i > 0; i--) {
                const j = Math.floor(next() * (i + 1));
                [copy[i], copy[j]] = [copy[j], copy[i]];
            }
            return copy;
        },
    };
}
