#!/usr/bin/env bash
# Debian packages netdx and its lab use (idempotent; needs root). Used by .ci/run and the README.
set -euo pipefail
PKGS=(iproute2 iptables nftables dnsmasq-base iputils-ping iputils-tracepath traceroute mtr-tiny
      tcpdump tshark openssl socat nginx-light procps conntrack ca-certificates netcat-openbsd bind9-dnsutils
      wireguard-go wireguard-tools openvpn iperf3 wrk
      prometheus prometheus-blackbox-exporter chromium postgresql)
missing=()
for p in "${PKGS[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "setup-debian: ${#PKGS[@]} packages present"
