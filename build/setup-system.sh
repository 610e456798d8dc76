#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages AIWisper needs, only those missing.
set -euo pipefail
packages=(
  python3 python3-venv python3-dev build-essential  # the virtual environment
  libportaudio2                                      # sounddevice
  pulseaudio pulseaudio-utils                        # capture tests: a null sink and its monitor
  xvfb xauth                                         # the desktop window without a display
  chromium                                           # end-to-end UI tests (Playwright drives Debian's Chromium)
  libgirepository1.0-dev libcairo2-dev pkg-config    # building pygobject for the desktop window
  gir1.2-webkit2-4.1                                 # the window's web view (WebKitGTK)
  gir1.2-gstreamer-1.0 gir1.2-gst-plugins-base-1.0   # decoding without PyAV (the Linux one-file build)
  gstreamer1.0-plugins-good gstreamer1.0-libav       # ...its codecs: flac, mp4/mkv/webm, mp3, aac
  imagemagick                                        # screenshots of the window in tests
  xdotool                                            # tests answer the window's native file dialogs
  cmake                                              # make bench: builds whisper.cpp's whisper-cli as the peer
  espeak-ng                                          # tests: spoken back-channels ("yeah, yeah") in a conversation
  patchelf                                           # make package: build paths out of the .deb's RUNPATHs
  liblzma-dev xz-utils                               # the one-file binary: its launcher (build/launcher.c) and payload
  debootstrap lintian                                # tests: the .deb in a clean Debian root, and its lint
  qemu-user                                          # tests: native parts run as older CPUs (qemu-x86_64 -cpu Nehalem|Haswell)
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

# The UI is built with Vite 8, which needs Node.js 20.19 or newer.
node_ok() { command -v node >/dev/null && node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)'; }
if ! node_ok; then
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends nodejs npm
  node_ok || { echo "Node.js 20.19+ is needed to build the UI (found: $(node --version 2>/dev/null || echo none))" >&2; exit 1; }
fi
