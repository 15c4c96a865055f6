#!/usr/bin/env bash
# Starts Mosquitto (127.0.0.1:1883) and PostgreSQL (127.0.0.1:5432) when they are
# not answering; the engine tests need both. `npm test` needs neither.
set -uo pipefail

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if ! port_open 1883; then
  echo "starting mosquitto"
  mosquitto -d -c /etc/mosquitto/mosquitto.conf
fi
if ! port_open 5432; then
  echo "starting postgresql"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
fi
for _ in $(seq 1 30); do
  if port_open 1883 && port_open 5432; then exit 0; fi
  sleep 1
done
echo "services did not come up: mosquitto on 1883 and postgresql on 5432 are needed by npm run test:engines" >&2
exit 1
