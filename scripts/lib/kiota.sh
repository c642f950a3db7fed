# Kiota's one invocation, shared by scripts/generate-client and the staleness test (which runs it into a temp folder and
# compares): the same options, so a difference can only come from the document or the generator's version.
# Usage: kiota_generate OUTPUT_DIR   (run from the repository root; reads docs/openapi.json)

kiota_generate() {
  # No look-up of newer versions: the version is the manifest's.
  export KIOTA_UPDATE_DISABLED=true
  local out="$1"
  dotnet tool restore >/dev/null
  # --exclude-backward-compatible: no obsolete duplicates of each model. --clean-output: no file of an older run survives.
  dotnet kiota generate --language CSharp --openapi docs/openapi.json --output "$out" \
    --class-name StorefrontClient --namespace-name Storefront.Client \
    --exclude-backward-compatible --clean-output --log-level Warning >&2
}
