// Validates one Kubernetes object against the API's OpenAPI schema, offline, with the validators
// that kubernetes-models ships (generated from the Kubernetes OpenAPI document).
//
// Those validators accept fields they do not know, and a misspelled field is the mistake that
// most often slips through (the API server would reject it, or worse, silently drop it). So the
// object is handed to the validator behind a Proxy that records which properties the validator
// reads: a validator reads every property its schema defines, and enumerates the keys of
// free-form maps (labels, annotations, resource quantities, ConfigMap data). Any key of an object
// that was neither read nor enumerated is a field the schema does not have.

// Maps a Kubernetes apiVersion to the kubernetes-models module that holds its kinds.
function modelModule(apiVersion) {
    if (typeof apiVersion !== 'string' || !/^([a-z0-9.-]+\/)?v[0-9a-z]+$/.test(apiVersion)) {
        return null;
    }
    return `kubernetes-models/${apiVersion}`;
}

const modules = new Map();

async function loadModel(apiVersion, kind) {
    const name = modelModule(apiVersion);
    if (name === null) return null;
    if (!modules.has(name)) {
        modules.set(
            name,
            import(name).catch(() => null),
        );
    }
    const module = await modules.get(name);
    const model = module?.[kind];
    return typeof model === 'function' && typeof model.prototype.validate === 'function'
        ? model
        : null;
}

// Wraps value so that every property read and every key enumeration is recorded in `visits`.
function track(value, path, visits) {
    if (value === null || typeof value !== 'object') return value;
    const visit = { path, value, read: new Set(), enumerated: false };
    visits.push(visit);
    const children = new Map();
    return new Proxy(value, {
        get(target, key, receiver) {
            const child = Reflect.get(target, key, receiver);
            if (typeof key !== 'string') return child;
            visit.read.add(key);
            if (child === null || typeof child !== 'object') return child;
            if (!children.has(key)) children.set(key, track(child, `${path}.${key}`, visits));
            return children.get(key);
        },
        ownKeys(target) {
            visit.enumerated = true;
            return Reflect.ownKeys(target);
        },
    });
}

// Turns the validator's "data/spec/replicas must be integer" into "spec.replicas: must be integer".
function schemaErrors(error) {
    return String(error.message ?? error)
        .split(/, (?=data[/ ])/)
        .map((part) => part.replace(/^data\/?/, '').replace(/\//g, '.').replace(/^(\S+) /, '$1: '))
        .map((part) => `schema: ${part}`);
}

// Returns a list of problems (strings); empty when the object is valid.
export async function validateObject(object) {
    if (object === null || typeof object !== 'object' || Array.isArray(object)) {
        return ['not a Kubernetes object (a YAML mapping with apiVersion and kind)'];
    }
    const { apiVersion, kind } = object;
    const model = await loadModel(apiVersion, kind);
    if (model === null) {
        return [`unknown apiVersion/kind ${apiVersion}/${kind} (not in the Kubernetes API schemas)`];
    }
    const visits = [];
    const problems = [];
    try {
        model.prototype.validate.call(track(structuredClone(object), '', visits));
    } catch (error) {
        problems.push(...schemaErrors(error));
    }
    for (const visit of visits) {
        if (Array.isArray(visit.value) || visit.enumerated) continue;
        for (const key of Object.keys(visit.value)) {
            if (!visit.read.has(key)) {
                problems.push(`unknown field ${`${visit.path}.${key}`.replace(/^\./, '')}`);
            }
        }
    }
    return problems;
}
