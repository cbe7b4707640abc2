#!/usr/bin/env node
// Offline checks of the deployment files; scripts/test-deploy.sh runs them.
//
//   node deploy/check/check.mjs [--min-replicas N] RENDERED.yaml...
//       each file is one rendered overlay (`kubectl kustomize ...`): schema-valid objects with no
//       unknown field, and the cross-object rules of rules.mjs
//   node deploy/check/check.mjs --compose compose.yaml Containerfile
//
// Prints every problem and exits 1 when there is any, 2 on a usage error.
import { readFileSync } from 'node:fs';

import { checkCompose } from './compose.mjs';
import { checkManifests } from './manifests.mjs';

function usage(message) {
    console.error(`check: ${message}`);
    console.error('usage: check.mjs [--min-replicas N] FILE... | check.mjs --compose COMPOSE CONTAINERFILE');
    process.exit(2);
}

const args = process.argv.slice(2);
let failed = false;
function report(file, problems, summary) {
    for (const problem of problems) console.error(`check: ${file}: ${problem}`);
    if (problems.length > 0) failed = true;
    else console.log(`check: ${file}: ${summary}`);
}

if (args[0] === '--compose') {
    if (args.length !== 3) usage('--compose takes the compose file and the Containerfile');
    const problems = checkCompose(readFileSync(args[1], 'utf8'), readFileSync(args[2], 'utf8'));
    report(args[1], problems, 'ok');
} else {
    const options = { minReplicas: 1 };
    const files = [];
    for (let i = 0; i < args.length; i++) {
        if (args[i] === '--min-replicas') {
            options.minReplicas = Number(args[++i]);
            if (!Number.isInteger(options.minReplicas) || options.minReplicas < 1) usage('--min-replicas takes a whole number');
        } else {
            files.push(args[i]);
        }
    }
    if (files.length === 0) usage('no file to check');
    for (const file of files) {
        const { objects, problems } = await checkManifests(readFileSync(file, 'utf8'), options);
        report(file, problems, `${objects.length} objects, ok`);
    }
}
process.exit(failed ? 1 : 0);
