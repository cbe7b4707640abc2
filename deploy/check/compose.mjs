// Checks compose.yaml against Containerfile: every service builds an existing stage and names a
// pinned image, every secret, volume and dependency it uses is declared, and secret files live
// in the one directory that is never committed (deploy/secrets/, made by deploy/secrets.sh).
import { parse } from 'yaml';

function containerfileStages(text) {
    const stages = new Set();
    for (const match of text.matchAll(/^FROM\s+\S+\s+AS\s+(\S+)\s*$/gim)) stages.add(match[1]);
    return stages;
}

function names(list) {
    return (list ?? []).map((entry) => (typeof entry === 'string' ? entry : entry.source));
}

export function checkCompose(composeText, containerfileText) {
    const problems = [];
    let compose;
    try {
        compose = parse(composeText, { merge: true });
    } catch (error) {
        return [`YAML: ${error.message}`];
    }
    const stages = containerfileStages(containerfileText);
    const services = compose?.services ?? {};
    const secrets = compose?.secrets ?? {};
    const volumes = compose?.volumes ?? {};
    if (Object.keys(services).length === 0) problems.push('no services');
    for (const [serviceName, service] of Object.entries(services)) {
        const where = `service ${serviceName}`;
        const target = service.build?.target;
        if (target === undefined || !stages.has(target)) {
            problems.push(`${where}: build.target '${target}' is not a stage of Containerfile`);
        }
        if (typeof service.image !== 'string' || !/:[^:/]+$/.test(service.image) || service.image.endsWith(':latest')) {
            problems.push(`${where}: image '${service.image}' is not pinned to a tag`);
        }
        for (const secret of names(service.secrets)) {
            if (!Object.hasOwn(secrets, secret)) problems.push(`${where}: secret '${secret}' is not declared`);
        }
        for (const dependency of Object.keys(service.depends_on ?? {})) {
            if (!Object.hasOwn(services, dependency)) problems.push(`${where}: depends on unknown service '${dependency}'`);
        }
        for (const volume of service.volumes ?? []) {
            const source = typeof volume === 'string' ? volume.split(':')[0] : volume.source;
            if (!source.startsWith('.') && !source.startsWith('/') && !Object.hasOwn(volumes, source)) {
                problems.push(`${where}: volume '${source}' is not declared`);
            }
        }
        if (service.healthcheck?.disable === true) problems.push(`${where}: health check disabled`);
    }
    for (const [secretName, secret] of Object.entries(secrets)) {
        if (typeof secret?.file !== 'string' || !secret.file.startsWith('./deploy/secrets/')) {
            problems.push(`secret ${secretName}: must be a file under ./deploy/secrets/ (never committed)`);
        }
    }
    return problems;
}
