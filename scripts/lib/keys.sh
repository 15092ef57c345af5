# Development keys for the built-in circuits and finance programs, cached by what they depend on
# so the main job, the tests and the benchmarks do not redo a setup per run.
#   ~/.cache/provernet/ptau/dev_pot<k>.ptau        from `provernet ptau new` (single party)
#   ~/.cache/provernet/keys/<structure hash>.zkey  from `provernet setup` on that ptau
# A key is valid for any circuit with the same structure hash (the constraint system's SHA-256).
# Development only: a single-party setup knows its toxic waste.
# Source it after setting P (the provernet binary).

PROVERNET_CACHE="${PROVERNET_CACHE:-$HOME/.cache/provernet}"

# The power k of the smallest domain 2^k that holds the circuit (constraints + public signals + 1).
circuit_power() {
    local info constraints pub_out pub_in n k=1
    info="$("$P" circuit info "$1")"
    constraints=$(awk '/^constraints:/ {print $2}' <<<"$info")
    pub_out=$(awk '/^public outputs:/ {print $3}' <<<"$info")
    pub_in=$(awk '/^public inputs:/ {print $3}' <<<"$info")
    n=$((constraints + pub_out + pub_in + 1))
    while ((1 << k < n)); do k=$((k + 1)); done
    echo "$k"
}

# ensure_ptau <k>: prints the path of a development ptau of power >= k (makes 2^k if none).
ensure_ptau() {
    local k="$1" j
    mkdir -p "$PROVERNET_CACHE/ptau"
    for ((j = k; j <= 22; j++)); do
        if [[ -f "$PROVERNET_CACHE/ptau/dev_pot$j.ptau" ]]; then
            echo "$PROVERNET_CACHE/ptau/dev_pot$j.ptau"
            return
        fi
    done
    "$P" ptau new "$k" "$PROVERNET_CACHE/ptau/dev_pot$k.ptau.tmp.$$" >&2
    mv "$PROVERNET_CACHE/ptau/dev_pot$k.ptau.tmp.$$" "$PROVERNET_CACHE/ptau/dev_pot$k.ptau"
    echo "$PROVERNET_CACHE/ptau/dev_pot$k.ptau"
}

# ensure_key <circuit or program name>: prints the path of a proving key for it.
ensure_key() {
    local name="$1" hash key ptau
    hash=$("$P" circuit info "$name" | awk '/^structure hash:/ {print $3}')
    key="$PROVERNET_CACHE/keys/$hash.zkey"
    if [[ ! -f "$key" ]]; then
        mkdir -p "$PROVERNET_CACHE/keys"
        ptau=$(ensure_ptau "$(circuit_power "$name")")
        "$P" setup "$name" "$ptau" "$key.tmp.$$" >&2
        mv "$key.tmp.$$" "$key"
    fi
    echo "$key"
}
