# policy.rego - the Rego side of the review benchmark (bench/review/run): what
# `schemagate review --check secrets` checks, at the least, in the shape conftest users write
# (package main, deny rules with a message each) and Gatekeeper's gator evaluates the same way.
# It walks every container, init container and ephemeral container of every workload kind
# (a CronJob's jobTemplate too) and denies
#   - an env entry whose name says password/secret/token/key and whose value is a literal
#     (not valueFrom, not a whole $(VAR) reference; *_FILE, *_URL, *_NAME ... are references);
#   - a --password=... / --db-password=... / --token=... style flag with a literal value in
#     command or args.
# schemagate checks far more (URIs with passwords, shell scripts, ConfigMaps, annotations,
# vendor token formats, $(VAR) resolution ...); this rule is the minimum, so the comparison
# flatters OPA. Rego v1 syntax; `import rego.v1` keeps it valid on OPA 0.59+ and 1.x.
# Not run here: the machine the benchmark was written on had no opa binary (bench/README.md).
package main

import rego.v1

controller_kinds := {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job"}

pod_specs contains spec if {
	input.kind == "Pod"
	spec := input.spec
}

pod_specs contains spec if {
	input.kind in controller_kinds
	spec := input.spec.template.spec
}

pod_specs contains spec if {
	input.kind == "CronJob"
	spec := input.spec.jobTemplate.spec.template.spec
}

containers contains c if {
	some spec in pod_specs
	some field in ["containers", "initContainers", "ephemeralContainers"]
	some c in spec[field]
}

credential_name(name) if {
	regex.match(`(?i)(passw(or)?d|pwd|secret|token|api_?key|private_?key|credential)`, name)
	not regex.match(`(?i)(_FILE|_PATH|_DIR|_URL|_URI|_NAME|_REF|_ENDPOINT|_KEY_ID)$`, name)
}

# A value as written: not empty, not a whole $(VAR) reference Kubernetes expands.
literal(value) if {
	is_string(value)
	value != ""
	not regex.match(`^\$\([A-Za-z_][A-Za-z0-9_]*\)$`, value)
}

object_name := sprintf("%s/%s", [object.get(input.metadata, "namespace", "default"), input.metadata.name])

deny contains msg if {
	some c in containers
	some e in c.env
	credential_name(e.name)
	literal(e.value)
	msg := sprintf("%s %s: container %q: env %s holds a literal credential; use valueFrom.secretKeyRef", [input.kind, object_name, c.name, e.name])
}

deny contains msg if {
	some c in containers
	some arg in array.concat(object.get(c, "command", []), object.get(c, "args", []))
	m := regex.find_all_string_submatch_n(`^--?([A-Za-z0-9.-]*(password|passwd|token|secret)[A-Za-z0-9.-]*)=(.*)$`, arg, 1)
	count(m) == 1
	literal(m[0][3])
	msg := sprintf("%s %s: container %q: flag --%s carries a literal credential", [input.kind, object_name, c.name, m[0][1]])
}
