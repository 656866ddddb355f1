#!/usr/bin/env bash
# The index repository's CI jobs as one script: .github/workflows/index-validate.yml and
# index-deploy.yml run it, and test/ci/indexWorkflows.test.ts runs the workflows' very `run:`
# lines on a fixture index, so the jobs cannot rot. Run it from the root of a checkout of the
# index repository (the repo whose tree is config.json, 1/…, 2/…, 3/…, ab/cd/…).
#
#   index-ci.sh detect                 prints index=true|false (is this an index checkout?)
#   index-ci.sh validate               every file against the schema, the path rule, append-only
#   index-ci.sh build OUT BASE_URL     the static registry tree, absolute URLs under BASE_URL
#
# RAVEN_REGISTRY is the command that runs raven-registry; the workflows set it to
# `npx --yes --package <RAVEN_REGISTRY_PACKAGE> raven-registry`.
set -euo pipefail

usage() { echo "usage: index-ci.sh detect | validate | build OUT BASE_URL" >&2; exit 2; }
[ $# -ge 1 ] || usage
read -r -a registry <<< "${RAVEN_REGISTRY:-npx --yes raven-registry}"
index_dir="$(pwd)"

case "$1" in
  detect)
    if [ -f config.json ]; then echo "index=true"; else echo "index=false"; fi
    ;;
  validate)
    # --rev HEAD: a pull request is checked out detached, with no local main branch.
    "${registry[@]}" index validate --dir "$index_dir" --rev HEAD
    ;;
  build)
    [ $# -eq 3 ] || usage
    out="$2"
    base_url="${3%/}"
    rm -rf "$out"
    no_blobs="$(mktemp -d)"
    "${registry[@]}" index build --dir "$index_dir" --blobs "$no_blobs" --out "$out" --base-url "$base_url"
    rmdir "$no_blobs"
    # The index repository holds no tarballs: downloads stay where the index's own config.json
    # says (the registry or its bucket), not under the Pages URL.
    node -e '
      const fs = require("node:fs");
      const [built, source] = process.argv.slice(1);
      const out = JSON.parse(fs.readFileSync(built, "utf8"));
      out.dl = JSON.parse(fs.readFileSync(source, "utf8")).dl;
      fs.writeFileSync(built, JSON.stringify(out, null, 2) + "\n");
    ' "$out/index/config.json" config.json
    # GitHub Pages serves the artifact as is; nothing may depend on Jekyll.
    touch "$out/.nojekyll"
    ;;
  *)
    usage
    ;;
esac
