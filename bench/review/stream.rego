# stream.rego - runs bench/review/policy.rego over every object of a List in one `opa eval`:
# each item is judged alone (`with input as obj`), as conftest judges each document of a stream.
# Query: data.bench.result -> {"objects": N, "denied": D, "messages": M}.
package bench

import rego.v1

denied contains i if {
	some i, obj in input.items
	count(data.main.deny) > 0 with input as obj
}

messages := sum([n | some obj in input.items; n := count(data.main.deny) with input as obj])

result := {"objects": count(input.items), "denied": count(denied), "messages": messages}
