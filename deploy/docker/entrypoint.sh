#!/bin/sh
# Runs `python -m <service package> <command...>` for the service the image was built for.
# The default command is `api`; `migrate`, `prune`, `dlq list` etc. work the same way.
set -eu
module="$(cat /app/service-module)"
if [ "$#" -eq 0 ]; then
    set -- api
fi
exec python -m "$module" "$@"
