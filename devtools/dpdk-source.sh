#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Obtain the pristine DPDK 22.11 LTS source from Debian bookworm's "dpdk"
# source package and unpack it under $EMU_CACHE/dpdk/<version>/.
# The deb-src entries are derived from the Debian archive this machine's apt
# already uses; bookworm's newest 22.11.x is taken.  Prints the tree's path.
#
# With DPDK_SRC=DIR in the environment, the pristine DPDK tree at DIR (an
# unmodified 22.11, 24.11 or 25.11 source, e.g. an upstream release
# extracted with "git archive") is used instead: every script that builds
# or exports the patchset gets its tree from here.
#
# usage: devtools/dpdk-source.sh

set -e -o pipefail
. "$(dirname "$0")/lib/common.sh"

APTDIR=$EMU_CACHE/apt
SERIES=22.11

# Print "URI SUITE" for every binary ("deb") entry of the apt configuration,
# one-line and deb822 formats alike.
apt_entries() {
	local f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -r "$f" ] || continue
		sed -e 's/#.*//' -e 's/\[[^]]*\]//' "$f" | awk '$1 == "deb" { print $2, $3 }'
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		awk 'BEGIN { RS = ""; FS = "\n" }
		{
			types = ""; uris = ""; suites = ""; enabled = "yes"
			for (i = 1; i <= NF; i++) {
				line = $i
				sub(/#.*/, "", line)
				if (line ~ /^Types:/) { sub(/^Types:[ \t]*/, "", line); types = line }
				if (line ~ /^URIs:/) { sub(/^URIs:[ \t]*/, "", line); uris = line }
				if (line ~ /^Suites:/) { sub(/^Suites:[ \t]*/, "", line); suites = line }
				if (line ~ /^Enabled:/) { sub(/^Enabled:[ \t]*/, "", line); enabled = line }
			}
			if (types !~ /(^| )deb( |$)/ || enabled == "no")
				next
			nu = split(uris, u, /[ \t]+/); ns = split(suites, s, /[ \t]+/)
			for (a = 1; a <= nu; a++) for (b = 1; b <= ns; b++)
				if (u[a] != "" && s[b] != "") print u[a], s[b]
		}' "$f"
	done
}

write_sources() {
	local archive security
	archive=$(apt_entries | awk '$2 !~ /-security$/ && $2 !~ /\// { print $1; exit }')
	security=$(apt_entries | awk '$2 ~ /-security$/ { print $1; exit }')
	[ -n "$archive" ] || die "no Debian archive found in /etc/apt/sources.list*: configure apt for Debian, then re-run"
	mkdir -p "$APTDIR/lists/partial" "$APTDIR/cache/archives/partial"
	{
		echo "deb-src $archive bookworm main"
		echo "deb-src $archive bookworm-updates main"
		[ -z "$security" ] || echo "deb-src $security bookworm-security main"
	} > "$APTDIR/sources.list"
}

APT_OPTS=(-o "Dir::Etc::SourceList=$APTDIR/sources.list" -o Dir::Etc::SourceParts=/dev/null
	-o "Dir::State::Lists=$APTDIR/lists" -o "Dir::Cache=$APTDIR/cache"
	-o APT::Sandbox::User=root)

newest_version() {
	apt-cache "${APT_OPTS[@]}" showsrc dpdk 2>/dev/null | sed -n 's/^Version: //p' |
		grep "^$SERIES\." | sort -V -r | head -n 1 || true
}

fetch() {
	local ver upstream dir tmp
	write_sources
	if ! apt-get "${APT_OPTS[@]}" update -q >"$APTDIR/update.log" 2>&1; then
		echo "warning: apt-get update for the DPDK source failed (see $APTDIR/update.log)" >&2
	fi
	ver=$(newest_version)
	if [ -z "$ver" ]; then
		dir=$(readlink -f "$EMU_CACHE/dpdk/current" 2>/dev/null || true)
		[ -n "$dir" ] && [ -d "$dir" ] || die "bookworm's dpdk $SERIES source package is not reachable and nothing is cached: check apt (see $APTDIR/update.log), then re-run"
		echo "warning: using the cached DPDK source $dir" >&2
		echo "$dir"
		return
	fi
	upstream=${ver#*:}
	upstream=${upstream%%-*}
	dir=$EMU_CACHE/dpdk/$upstream
	if [ ! -f "$dir/.complete" ]; then
		need_space "$EMU_CACHE" 400
		tmp=$EMU_CACHE/dpdk/.download.$$
		rm -rf "$tmp" "$dir"
		mkdir -p "$tmp"
		(cd "$tmp" && apt-get "${APT_OPTS[@]}" source --download-only -q "dpdk=$ver" >download.log 2>&1) ||
			die "apt-get source dpdk=$ver failed (see $tmp/download.log): check apt, then re-run"
		mkdir -p "$dir"
		tar -C "$dir" --strip-components=1 -xf "$tmp"/dpdk_"$upstream".orig.tar.*
		[ -f "$dir/VERSION" ] || die "the dpdk orig tarball did not unpack into $dir"
		echo "$ver" > "$dir/.debian-version"
		touch "$dir/.complete"
		rm -rf "$tmp"
	fi
	ln -sfn "$upstream" "$EMU_CACHE/dpdk/current"
	echo "$dir"
}

# DPDK_SRC: a pristine tree given by the user.
given_source() {
	local dir
	dir=$(realpath -e "$DPDK_SRC" 2>/dev/null) || die "DPDK_SRC=$DPDK_SRC does not exist"
	[ -f "$dir/VERSION" ] && [ -f "$dir/meson.build" ] && [ -d "$dir/lib/eal" ] ||
		die "DPDK_SRC=$DPDK_SRC is not a DPDK source tree (no VERSION, meson.build or lib/eal)"
	[ ! -e "$dir/.emu-pristine" ] ||
		die "DPDK_SRC=$DPDK_SRC is an assembled tree, not a pristine one: give the unmodified DPDK source"
	case $dir/ in
	"$EMU_TOP"/*) die "DPDK_SRC=$DPDK_SRC is inside this repository: extract the DPDK source elsewhere" ;;
	esac
	echo "$dir"
}

if [ -n "${DPDK_SRC:-}" ]; then
	given_source
else
	fetch
fi
