#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
# SPDX-FileCopyrightText: The ExitBox authors
"""Write the names and descriptions of the catalogue as N_() strings.

xgettext cannot read YAML, so this C file, listed in po/POTFILES.in, carries
the catalogue's user-visible strings into po/exitbox.pot. It is not compiled.

Usage: extract-catalogue-strings.py CATALOGUE.yaml OUTPUT.c
       extract-catalogue-strings.py --check CATALOGUE.yaml OUTPUT.c
With --check, exits 1 when OUTPUT.c is not what the catalogue gives.
"""

import sys

import yaml

SECTIONS = {
    "roles": "a role in the setup wizard",
    "languages": "a programming language in the setup wizard",
    "tool-categories": "a category of tools in the setup wizard",
    "profiles": "a development profile",
}

HEADER = """\
/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

/* Generated from data/core/catalogue.yaml by tools/extract-catalogue-strings.py
 * for xgettext only; it is not compiled. Run the script again after changing
 * a name or description. The test catalogue-strings checks that it is current.
 */

#define N_(text) text

static const char *catalogue_strings[] = {
"""


def c_string(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render(catalogue_path):
    with open(catalogue_path, encoding="utf-8") as stream:
        catalogue = yaml.safe_load(stream)

    lines = [HEADER]
    for section, context in SECTIONS.items():
        for item in catalogue.get(section) or []:
            for key in ("name", "description"):
                if key in item:
                    lines.append(f"  /* TRANSLATORS: the {key} of {context} (id {item['id']}) */\n")
                    lines.append(f"  N_({c_string(item[key])}),\n")
    lines.append("};\n")
    return "".join(lines)


def main(arguments):
    check = arguments[:1] == ["--check"]
    if check:
        arguments = arguments[1:]
    if len(arguments) != 2:
        print(__doc__, file=sys.stderr)
        return 2

    catalogue_path, output_path = arguments
    text = render(catalogue_path)

    if check:
        try:
            with open(output_path, encoding="utf-8") as stream:
                current = stream.read()
        except FileNotFoundError:
            current = None
        if current != text:
            print(f"{output_path} is out of date: run tools/extract-catalogue-strings.py "
                  f"{catalogue_path} {output_path}", file=sys.stderr)
            return 1
        return 0

    with open(output_path, "w", encoding="utf-8") as stream:
        stream.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
