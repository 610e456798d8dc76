#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages AIWisper needs, only those missing.
set -euo pipefail
packages=(
  python3 python3-venv python3-dev build-essential  # the virtual environment
  libportaudio2                                      # sounddevice
  pulseaudio pulseaudio-utils                        # capture tests: a null sink and its monitor
  xvfb xauth                                         # the desktop window without a display
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
