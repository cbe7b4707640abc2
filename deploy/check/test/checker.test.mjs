// Proves the deployment checker catches what it is meant to: every fixture in fixtures/ is a
// small rendering with exactly one kind of mistake, named in its `# expect:` lines, and the
// checker must report exactly those problems; fixtures/valid.yaml must pass. The same for
// compose files in fixtures/compose/.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';

import { checkCompose } from '../compose.mjs';
import { checkManifests } from '../manifests.mjs';
import { selectorMatches } from '../rules.mjs';

const fixtures = new URL('../fixtures/', import.meta.url);
const repo = new URL('../../../', import.meta.url);

function header(text, key) {
    return [...text.matchAll(new RegExp(`^# ${key}: (.*)$`, 'gm'))].map((match) => match[1]);
}

function optionsOf(text) {
    const [options] = header(text, 'options');
    const minReplicas = options?.match(/--min-replicas (\d+)/)?.[1];
    return { minReplicas: minReplicas === undefined ? 1 : Number(minReplicas) };
}

const manifestFixtures = readdirSync(fixtures).filter((file) => file.endsWith('.yaml'));

test('there are broken fixtures for every promised check', () => {
    for (const name of ['service-selector-matches-nothing', 'missing-readiness-probe', 'misspelled-field']) {
        assert.ok(manifestFixtures.includes(`${name}.yaml`), name);
    }
});

for (const file of manifestFixtures) {
    test(`fixture ${file}`, async () => {
        const text = readFileSync(new URL(file, fixtures), 'utf8');
        const expected = header(text, 'expect');
        if (file !== 'valid.yaml') assert.ok(expected.length > 0, 'a broken fixture names its problem');
        const { problems } = await checkManifests(text, optionsOf(text));
        assert.deepEqual([...problems].sort(), [...expected].sort());
    });
}

test('label selectors: matchLabels and every matchExpressions operator', () => {
    const labels = { app: 'web', tier: 'front' };
    assert.ok(selectorMatches({}, labels));
    assert.ok(selectorMatches({ matchLabels: { app: 'web' } }, labels));
    assert.ok(!selectorMatches({ matchLabels: { app: 'api' } }, labels));
    assert.ok(selectorMatches({ matchExpressions: [{ key: 'app', operator: 'In', values: ['api', 'web'] }] }, labels));
    assert.ok(!selectorMatches({ matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] }, labels));
    assert.ok(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, labels));
    assert.ok(!selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }, labels));
    assert.ok(!selectorMatches({ matchExpressions: [{ key: 'app', operator: 'Unknown' }] }, labels));
});

test('YAML that does not parse is reported, not thrown', async () => {
    const { problems } = await checkManifests('kind: [unclosed\n');
    assert.equal(problems.length, 2);
    assert.match(problems[0], /^YAML: /);
    assert.equal(problems[1], 'cross-object checks skipped until the schema errors above are fixed');
});

test('an object of an unknown kind is reported', async () => {
    const { problems } = await checkManifests('apiVersion: v1\nkind: Servce\nmetadata:\n  name: x\n');
    assert.deepEqual(problems, [
        'Servce/x: unknown apiVersion/kind v1/Servce (not in the Kubernetes API schemas)',
        'cross-object checks skipped until the schema errors above are fixed',
    ]);
});

const containerfile = readFileSync(new URL('Containerfile', repo), 'utf8');

test("the project's compose.yaml passes", () => {
    assert.deepEqual(checkCompose(readFileSync(new URL('compose.yaml', repo), 'utf8'), containerfile), []);
});

for (const file of readdirSync(new URL('compose/', fixtures)).filter((name) => name.endsWith('.yaml'))) {
    test(`compose fixture ${file}`, () => {
        const text = readFileSync(new URL(`compose/${file}`, fixtures), 'utf8');
        const expected = header(text, 'expect');
        assert.ok(expected.length > 0, 'a broken fixture names its problem');
        assert.deepEqual(checkCompose(text, containerfile).sort(), expected.sort());
    });
}
