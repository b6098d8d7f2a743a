# Sourced by guest-init.sh: the engine conformance suite under NTRACE_BACKEND=kernel.
echo "node tests: not wired yet"
