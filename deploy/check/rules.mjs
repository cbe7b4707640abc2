// The project's own checks across the objects of one rendered overlay: what the API server would
// accept but would leave broken (a Service with no pods behind it, an Ingress pointing nowhere, a
// NetworkPolicy about pods that do not exist), and the rules every workload of the bank follows
// (probes, requests and limits, a locked-down securityContext, pinned images).

const kPodWorkloads = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job']);

function name(object) {
    return `${object.kind}/${object.metadata?.name ?? '?'}`;
}

function namespaceOf(object) {
    return object.metadata?.namespace ?? '';
}

// The pod template of a workload, or null for objects that run no pods.
function podTemplate(object) {
    if (kPodWorkloads.has(object.kind)) return object.spec?.template ?? null;
    if (object.kind === 'CronJob') return object.spec?.jobTemplate?.spec?.template ?? null;
    return null;
}

// A LabelSelector (matchLabels and matchExpressions) against a set of labels.
export function selectorMatches(selector, labels) {
    const actual = labels ?? {};
    for (const [key, value] of Object.entries(selector?.matchLabels ?? {})) {
        if (actual[key] !== value) return false;
    }
    for (const expression of selector?.matchExpressions ?? []) {
        const has = Object.hasOwn(actual, expression.key);
        const values = expression.values ?? [];
        switch (expression.operator) {
            case 'In':
                if (!has || !values.includes(actual[expression.key])) return false;
                break;
            case 'NotIn':
                if (has && values.includes(actual[expression.key])) return false;
                break;
            case 'Exists':
                if (!has) return false;
                break;
            case 'DoesNotExist':
                if (has) return false;
                break;
            default:
                return false;
        }
    }
    return true;
}

// A Service's selector is a plain map of labels.
function mapSelectorMatches(selector, labels) {
    return selectorMatches({ matchLabels: selector }, labels);
}

function podsOf(objects) {
    const pods = [];
    for (const object of objects) {
        const template = podTemplate(object);
        if (template !== null) {
            pods.push({ owner: object, namespace: namespaceOf(object), template });
        }
    }
    return pods;
}

function imageIsPinned(image) {
    if (typeof image !== 'string' || image === '') return false;
    if (image.includes('@sha256:')) return true;
    const lastPart = image.slice(image.lastIndexOf('/') + 1);
    const colon = lastPart.lastIndexOf(':');
    return colon > 0 && lastPart.slice(colon + 1) !== 'latest';
}

function checkContainer(owner, podSpec, container, problems) {
    const where = `${name(owner)}: container ${container.name}`;
    for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
        if (container[probe] === undefined) problems.push(`${where} has no ${probe}`);
        const port = container[probe]?.httpGet?.port ?? container[probe]?.tcpSocket?.port;
        if (
            typeof port === 'string' &&
            !(container.ports ?? []).some((declared) => declared.name === port)
        ) {
            problems.push(`${where}: ${probe} uses port '${port}', which the container does not name`);
        }
    }
    for (const kind of ['requests', 'limits']) {
        for (const resource of ['cpu', 'memory']) {
            if (container.resources?.[kind]?.[resource] === undefined) {
                problems.push(`${where} has no ${resource} in resources.${kind}`);
            }
        }
    }
    if (!imageIsPinned(container.image)) {
        problems.push(`${where}: image '${container.image}' is not pinned to a tag or digest (or is :latest)`);
    }
    const security = container.securityContext ?? {};
    if (security.allowPrivilegeEscalation !== false) {
        problems.push(`${where}: securityContext.allowPrivilegeEscalation must be false`);
    }
    if (security.readOnlyRootFilesystem !== true) {
        problems.push(`${where}: securityContext.readOnlyRootFilesystem must be true`);
    }
    if (!(security.capabilities?.drop ?? []).includes('ALL')) {
        problems.push(`${where}: securityContext.capabilities.drop must include ALL`);
    }
    if (security.runAsNonRoot !== true && podSpec.securityContext?.runAsNonRoot !== true) {
        problems.push(`${where}: runAsNonRoot must be true (pod or container securityContext)`);
    }
}

// Every Secret a pod uses (env, envFrom, volumes) must be in the rendering, with the keys asked
// for: test-deploy.sh renders the Secrets deploy/secrets.sh would create next to each overlay.
function checkSecretReferences(object, podSpec, secrets, problems) {
    const references = [];
    for (const container of podSpec.containers ?? []) {
        for (const source of container.envFrom ?? []) {
            if (source.secretRef) references.push([source.secretRef, undefined]);
        }
        for (const variable of container.env ?? []) {
            const reference = variable.valueFrom?.secretKeyRef;
            if (reference) references.push([reference, reference.key]);
        }
    }
    for (const volume of podSpec.volumes ?? []) {
        if (!volume.secret) continue;
        const reference = { name: volume.secret.secretName, optional: volume.secret.optional };
        references.push([reference, undefined]);
        for (const item of volume.secret.items ?? []) references.push([reference, item.key]);
    }
    for (const [reference, key] of references) {
        if (reference.optional === true) continue;
        const keys = secrets.get(`${namespaceOf(object)}/${reference.name}`);
        if (keys === undefined) {
            problems.push(`${name(object)}: uses Secret ${reference.name}, which does not exist`);
        } else if (key !== undefined && !keys.has(key)) {
            problems.push(`${name(object)}: uses key ${key} of Secret ${reference.name}, which has no such key`);
        }
    }
}

function checkWorkloads(objects, options, problems) {
    const configMaps = new Set(
        objects.filter((o) => o.kind === 'ConfigMap').map((o) => `${namespaceOf(o)}/${o.metadata.name}`),
    );
    const secrets = new Map(
        objects
            .filter((o) => o.kind === 'Secret')
            .map((o) => [
                `${namespaceOf(o)}/${o.metadata.name}`,
                new Set([...Object.keys(o.data ?? {}), ...Object.keys(o.stringData ?? {})]),
            ]),
    );
    for (const object of objects) {
        const template = podTemplate(object);
        if (template === null) continue;
        const selector = object.spec?.selector;
        if (object.kind !== 'Job' && !selectorMatches(selector, template.metadata?.labels)) {
            problems.push(`${name(object)}: spec.selector does not match its own pod template's labels`);
        }
        if (object.kind === 'Deployment' && (object.spec.replicas ?? 1) < options.minReplicas) {
            problems.push(`${name(object)}: replicas ${object.spec.replicas ?? 1} is fewer than ${options.minReplicas}`);
        }
        const podSpec = template.spec ?? {};
        checkSecretReferences(object, podSpec, secrets, problems);
        for (const container of podSpec.containers ?? []) {
            checkContainer(object, podSpec, container, problems);
            const references = [
                ...(container.envFrom ?? []).map((source) => source.configMapRef?.name),
                ...(container.env ?? []).map((variable) => variable.valueFrom?.configMapKeyRef?.name),
            ].filter((reference) => reference !== undefined);
            for (const reference of references) {
                if (!configMaps.has(`${namespaceOf(object)}/${reference}`)) {
                    problems.push(`${name(object)}: container ${container.name} uses ConfigMap ${reference}, which does not exist`);
                }
            }
        }
        for (const volume of podSpec.volumes ?? []) {
            const reference = volume.configMap?.name;
            if (reference !== undefined && !configMaps.has(`${namespaceOf(object)}/${reference}`)) {
                problems.push(`${name(object)}: volume ${volume.name} uses ConfigMap ${reference}, which does not exist`);
            }
        }
    }
}

function checkServices(objects, pods, problems) {
    for (const service of objects.filter((o) => o.kind === 'Service')) {
        const selector = service.spec?.selector;
        if (selector === undefined || Object.keys(selector).length === 0) continue;
        const selected = pods.filter(
            (pod) =>
                pod.namespace === namespaceOf(service) &&
                mapSelectorMatches(selector, pod.template.metadata?.labels),
        );
        if (selected.length === 0) {
            problems.push(`${name(service)}: selector ${JSON.stringify(selector)} matches no pod of any workload`);
            continue;
        }
        for (const port of service.spec.ports ?? []) {
            const target = port.targetPort ?? port.port;
            const served = selected.some((pod) =>
                (pod.template.spec?.containers ?? []).some((container) =>
                    (container.ports ?? []).some((declared) =>
                        typeof target === 'string' ? declared.name === target : declared.containerPort === target,
                    ),
                ),
            );
            if (!served) {
                problems.push(`${name(service)}: port ${port.name ?? port.port} targets ${target}, which no selected container declares`);
            }
        }
    }
}

function checkIngresses(objects, problems) {
    const services = new Map(
        objects.filter((o) => o.kind === 'Service').map((o) => [`${namespaceOf(o)}/${o.metadata.name}`, o]),
    );
    for (const ingress of objects.filter((o) => o.kind === 'Ingress')) {
        const backends = [];
        if (ingress.spec?.defaultBackend?.service) backends.push(ingress.spec.defaultBackend.service);
        for (const rule of ingress.spec?.rules ?? []) {
            for (const path of rule.http?.paths ?? []) {
                if (path.backend?.service) backends.push(path.backend.service);
            }
        }
        for (const backend of backends) {
            const service = services.get(`${namespaceOf(ingress)}/${backend.name}`);
            if (service === undefined) {
                problems.push(`${name(ingress)}: backend Service ${backend.name} does not exist`);
                continue;
            }
            const ports = service.spec?.ports ?? [];
            const found =
                backend.port?.name !== undefined
                    ? ports.some((port) => port.name === backend.port.name)
                    : ports.some((port) => port.port === backend.port?.number);
            if (!found) {
                problems.push(`${name(ingress)}: Service ${backend.name} has no port ${backend.port?.name ?? backend.port?.number}`);
            }
        }
    }
}

// A selector (in a NetworkPolicy, PodDisruptionBudget, ...) must select at least one pod.
function requireSelectedPods(object, what, selector, pods, problems) {
    const matched = pods.some(
        (pod) => pod.namespace === namespaceOf(object) && selectorMatches(selector, pod.template.metadata?.labels),
    );
    if (!matched) {
        problems.push(`${name(object)}: ${what} ${JSON.stringify(selector)} selects no pods`);
    }
}

function checkNetworkPolicies(objects, pods, problems) {
    for (const policy of objects.filter((o) => o.kind === 'NetworkPolicy')) {
        requireSelectedPods(policy, 'spec.podSelector', policy.spec?.podSelector ?? {}, pods, problems);
        const rules = [
            ...(policy.spec?.ingress ?? []).flatMap((rule) => (rule.from ?? []).map((peer) => ['ingress from', peer])),
            ...(policy.spec?.egress ?? []).flatMap((rule) => (rule.to ?? []).map((peer) => ['egress to', peer])),
        ];
        for (const [direction, peer] of rules) {
            // A peer with a namespaceSelector is about pods elsewhere, which this render does not hold.
            if (peer.podSelector !== undefined && peer.namespaceSelector === undefined) {
                requireSelectedPods(policy, `${direction} podSelector`, peer.podSelector, pods, problems);
            }
        }
    }
}

function checkDisruptionAndScaling(objects, pods, options, problems) {
    for (const budget of objects.filter((o) => o.kind === 'PodDisruptionBudget')) {
        requireSelectedPods(budget, 'spec.selector', budget.spec?.selector ?? {}, pods, problems);
    }
    for (const autoscaler of objects.filter((o) => o.kind === 'HorizontalPodAutoscaler')) {
        const target = autoscaler.spec?.scaleTargetRef ?? {};
        const exists = objects.some(
            (o) => o.kind === target.kind && o.metadata?.name === target.name && namespaceOf(o) === namespaceOf(autoscaler),
        );
        if (!exists) {
            problems.push(`${name(autoscaler)}: scaleTargetRef ${target.kind}/${target.name} does not exist`);
        }
        if ((autoscaler.spec?.minReplicas ?? 1) < options.minReplicas) {
            problems.push(`${name(autoscaler)}: minReplicas ${autoscaler.spec?.minReplicas ?? 1} is fewer than ${options.minReplicas}`);
        }
    }
    // Every Deployment of a service is covered by a PodDisruptionBudget and a HorizontalPodAutoscaler.
    for (const deployment of objects.filter((o) => o.kind === 'Deployment')) {
        const labels = deployment.spec?.template?.metadata?.labels;
        const budgeted = objects.some(
            (o) =>
                o.kind === 'PodDisruptionBudget' &&
                namespaceOf(o) === namespaceOf(deployment) &&
                selectorMatches(o.spec?.selector ?? {}, labels),
        );
        if (!budgeted) problems.push(`${name(deployment)}: no PodDisruptionBudget selects its pods`);
        const scaled = objects.some(
            (o) =>
                o.kind === 'HorizontalPodAutoscaler' &&
                namespaceOf(o) === namespaceOf(deployment) &&
                o.spec?.scaleTargetRef?.kind === 'Deployment' &&
                o.spec?.scaleTargetRef?.name === deployment.metadata?.name,
        );
        if (!scaled) problems.push(`${name(deployment)}: no HorizontalPodAutoscaler scales it`);
    }
}

function checkDuplicates(objects, problems) {
    const seen = new Set();
    for (const object of objects) {
        const key = `${object.apiVersion}/${object.kind}/${namespaceOf(object)}/${object.metadata?.name}`;
        if (seen.has(key)) problems.push(`${name(object)}: defined twice`);
        seen.add(key);
    }
}

// Returns the problems found across `objects` (already schema-valid). options.minReplicas: the
// fewest replicas a Deployment (and an autoscaler's minimum) may have.
export function checkObjects(objects, options = { minReplicas: 1 }) {
    const problems = [];
    const pods = podsOf(objects);
    checkDuplicates(objects, problems);
    checkWorkloads(objects, options, problems);
    checkServices(objects, pods, problems);
    checkIngresses(objects, problems);
    checkNetworkPolicies(objects, pods, problems);
    checkDisruptionAndScaling(objects, pods, options, problems);
    return [...new Set(problems)];
}
