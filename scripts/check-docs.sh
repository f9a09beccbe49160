#!/usr/bin/env bash
# Builds the DocC documentation of every library module (swift-docc-plugin) and fails when DocC
# warns (a broken symbol link, an inline code span it misreads). Compiler warnings are not
# counted here. Usage: bash scripts/check-docs.sh
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
for target in TorchBase Torch TorchNN TorchOptim TorchData TorchIO TorchDistributions TorchONNX TorchDistributed \
  SwiftTorch; do
  log=$(mktemp)
  if ! swift package generate-documentation --target "$target" >"$log" 2>&1; then
    echo "docs: $target failed to build"; tail -20 "$log"; status=1
  fi
  # DocC's own diagnostics carry no source position (compiler warnings do: path:line:col).
  warnings=$(grep -E "^warning:" "$log" || true)
  if [ -n "$warnings" ]; then
    echo "docs: DocC warnings in $target:"; echo "$warnings" | head -20; status=1
  else
    echo "docs: $target, no DocC warnings"
  fi
  rm -f "$log"
done
exit $status
