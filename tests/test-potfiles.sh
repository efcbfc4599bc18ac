#!/bin/bash
# SPDX-License-Identifier: AGPL-3.0-or-later
# SPDX-FileCopyrightText: The ExitBox authors
#
# Every source file with a translatable string is in po/POTFILES.in, and
# every file listed there exists, so that no user-visible string misses the
# translation template. Prints TAP.
# Usage: test-potfiles.sh SOURCE-FOLDER

set -u
cd "$1" || exit 1

listed=$(grep -v '^#' po/POTFILES.in | grep -v '^$')
missing=""
gone=""

while IFS= read -r file; do
  if grep -qE '(^|[^A-Za-z0-9_])(N?_|C_|g_dngettext) ?\(|translatable="yes"' "$file" \
     && ! grep -qxF "$file" <<<"$listed"; then
    missing="$missing $file"
  fi
done < <(find src data/ui -type f \( -name '*.c' -o -name '*.ui' \) | sort)

while IFS= read -r file; do
  [ -e "$file" ] || gone="$gone $file"
done <<<"$listed"

# xgettext cannot read GLib's format macros such as G_GINT64_FORMAT, so a
# translatable message that uses one reaches the template cut short.
macros=$(find src -type f -name '*.c' -exec awk '
  /(^|[^A-Za-z0-9_])(N?_|g_dngettext) ?\(/ { open = NR }
  /" G_G[A-Z0-9]*_FORMAT/ && open > 0 && NR - open <= 2 { print FILENAME ":" FNR }
' {} + | sort)

echo "1..3"
if [ -z "$missing" ]; then
  echo "ok 1 - every file with translatable strings is listed"
else
  echo "not ok 1 - every file with translatable strings is listed"
  echo "# add to po/POTFILES.in:$missing"
fi
if [ -z "$gone" ]; then
  echo "ok 2 - every listed file exists"
else
  echo "not ok 2 - every listed file exists"
  echo "# remove from po/POTFILES.in:$gone"
fi
if [ -z "$macros" ]; then
  echo "ok 3 - translatable messages use no format macros"
else
  echo "not ok 3 - translatable messages use no format macros"
  echo "# use %lld or %llu with a cast instead, at:" $macros
fi
[ -z "$missing$gone$macros" ]
