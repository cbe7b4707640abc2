// Checks a multi-document YAML stream of Kubernetes objects (what `kubectl kustomize` renders):
// YAML syntax, each object against the API schemas (unknown fields included), then the project's
// cross-object rules. Returns { objects, problems }.
import { parseAllDocuments } from 'yaml';

import { checkObjects } from './rules.mjs';
import { validateObject } from './schema.mjs';

export async function checkManifests(text, options = { minReplicas: 1 }) {
    const problems = [];
    const objects = [];
    let malformed = false;
    for (const document of parseAllDocuments(text)) {
        for (const error of document.errors) problems.push(`YAML: ${error.message}`);
        if (document.errors.length > 0) {
            malformed = true;
            continue;
        }
        const object = document.toJS();
        if (object === null || object === undefined) continue;
        const label = `${object.kind ?? '?'}/${object.metadata?.name ?? '?'}`;
        const found = await validateObject(object);
        problems.push(...found.map((problem) => `${label}: ${problem}`));
        // An unknown field leaves the object's shape intact, so the cross-object rules still
        // look at it (and report what the misspelling lost, e.g. a probe).
        if (found.some((problem) => !problem.startsWith('unknown field '))) {
            malformed = true;
        } else {
            objects.push(object);
        }
    }
    if (objects.length === 0 && problems.length === 0) problems.push('no Kubernetes objects found');
    // The cross-object rules need every object in its proper shape.
    if (malformed) {
        problems.push('cross-object checks skipped until the schema errors above are fixed');
    } else {
        problems.push(...checkObjects(objects, options));
    }
    return { objects, problems };
}
