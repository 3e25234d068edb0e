#!/usr/bin/env bash
# Vendor the front-end libraries from the npm registry at install time (never a CDN: the
# product runs on closed networks). Files land in web/static/vendor/ (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
DEST=web/static/vendor
HTMX_VERSION=2.0.11
ECHARTS_VERSION=5.6.0
[ -f "$DEST/htmx.min.js" ] && [ -f "$DEST/echarts.min.js" ] && grep -q "$ECHARTS_VERSION" "$DEST/VERSIONS" 2>/dev/null && exit 0
command -v npm >/dev/null || { echo "npm is needed to vendor htmx and ECharts (apt-get install -y npm)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "htmx.org@$HTMX_VERSION" "echarts@$ECHARTS_VERSION" >/dev/null)
mkdir -p "$DEST"
tar -xzf "$work/htmx.org-$HTMX_VERSION.tgz" -C "$work" package/dist/htmx.min.js
cp "$work/package/dist/htmx.min.js" "$DEST/htmx.min.js"
rm -rf "$work/package"
tar -xzf "$work/echarts-$ECHARTS_VERSION.tgz" -C "$work" package/dist/echarts.min.js
cp "$work/package/dist/echarts.min.js" "$DEST/echarts.min.js"
printf 'htmx.org %s\necharts %s\n' "$HTMX_VERSION" "$ECHARTS_VERSION" > "$DEST/VERSIONS"
echo "vendored htmx $HTMX_VERSION and ECharts $ECHARTS_VERSION into $DEST"
