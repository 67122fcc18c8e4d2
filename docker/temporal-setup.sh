#!/bin/sh
# Registers the composer-migrate search attributes (stack/temporal.py SEARCH_ATTRIBUTES) once the
# Temporal server answers. Idempotent: attributes that exist already are left as they are.
set -eu
ADDRESS="${TEMPORAL_ADDRESS:-temporal:7233}"
NAMESPACE="${TEMPORAL_NAMESPACE:-default}"
ATTRIBUTES="${MIGRATION_SEARCH_ATTRIBUTES:?set MIGRATION_SEARCH_ATTRIBUTES, e.g. MigrationWave=Keyword}"

tries=0
until temporal operator namespace describe --address "$ADDRESS" --namespace "$NAMESPACE" >/dev/null 2>&1; do
  tries=$((tries + 1))
  if [ "$tries" -ge 90 ]; then
    echo "Temporal at $ADDRESS (namespace $NAMESPACE) did not answer within 180s" >&2
    exit 1
  fi
  sleep 2
done

existing="$(temporal operator search-attribute list --address "$ADDRESS" --namespace "$NAMESPACE")"
for pair in $ATTRIBUTES; do
  name="${pair%%=*}"
  kind="${pair#*=}"
  if printf '%s\n' "$existing" | grep -qw "$name"; then
    echo "search attribute $name exists"
  else
    temporal operator search-attribute create --address "$ADDRESS" --namespace "$NAMESPACE" \
      --name "$name" --type "$kind"
    echo "search attribute $name=$kind created"
  fi
done
