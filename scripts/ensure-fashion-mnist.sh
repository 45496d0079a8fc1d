#!/usr/bin/env bash
# Installs the Debian package dataset-fashion-mnist when its files are missing.
set -euo pipefail
dir=/usr/share/datasets/fashion-mnist
if [[ -f $dir/train-images-idx3-ubyte.gz && -f $dir/t10k-labels-idx1-ubyte.gz ]]; then
  exit 0
fi
echo "Installing dataset-fashion-mnist (Fashion-MNIST in $dir)..."
if [[ $(id -u) -eq 0 ]]; then sudo=""; else sudo="sudo"; fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq dataset-fashion-mnist
