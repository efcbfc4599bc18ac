/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

/* Generated from data/core/catalogue.yaml by tools/extract-catalogue-strings.py
 * for xgettext only; it is not compiled. Run the script again after changing
 * a name or description. The test catalogue-strings checks that it is current.
 */

#define N_(text) text

static const char *catalogue_strings[] = {
  /* TRANSLATORS: the name of a role in the setup wizard (id frontend) */
  N_("Frontend"),
  /* TRANSLATORS: the description of a role in the setup wizard (id frontend) */
  N_("Web user interfaces and the JavaScript tooling around them"),
  /* TRANSLATORS: the name of a role in the setup wizard (id backend) */
  N_("Backend"),
  /* TRANSLATORS: the description of a role in the setup wizard (id backend) */
  N_("Server applications, APIs and the databases behind them"),
  /* TRANSLATORS: the name of a role in the setup wizard (id fullstack) */
  N_("Full stack"),
  /* TRANSLATORS: the description of a role in the setup wizard (id fullstack) */
  N_("Web applications from the browser to the database"),
  /* TRANSLATORS: the name of a role in the setup wizard (id devops) */
  N_("DevOps"),
  /* TRANSLATORS: the description of a role in the setup wizard (id devops) */
  N_("Infrastructure, containers, deployment and operations"),
  /* TRANSLATORS: the name of a role in the setup wizard (id data-science) */
  N_("Data science"),
  /* TRANSLATORS: the description of a role in the setup wizard (id data-science) */
  N_("Data analysis, statistics and machine learning"),
  /* TRANSLATORS: the name of a role in the setup wizard (id mobile) */
  N_("Mobile"),
  /* TRANSLATORS: the description of a role in the setup wizard (id mobile) */
  N_("Apps for phones and tablets"),
  /* TRANSLATORS: the name of a role in the setup wizard (id embedded) */
  N_("Embedded"),
  /* TRANSLATORS: the description of a role in the setup wizard (id embedded) */
  N_("Firmware and software for embedded systems and devices"),
  /* TRANSLATORS: the name of a role in the setup wizard (id security) */
  N_("Security"),
  /* TRANSLATORS: the description of a role in the setup wizard (id security) */
  N_("Security research, auditing and network analysis"),
  /* TRANSLATORS: the name of a programming language in the setup wizard (id c) */
  N_("C/C++"),
  /* TRANSLATORS: the name of a programming language in the setup wizard (id node) */
  N_("Node.js/JavaScript"),
  /* TRANSLATORS: the name of a programming language in the setup wizard (id python) */
  N_("Python"),
  /* TRANSLATORS: the name of a programming language in the setup wizard (id rust) */
  N_("Rust"),
  /* TRANSLATORS: the name of a programming language in the setup wizard (id go) */
  N_("Go"),
  /* TRANSLATORS: the name of a programming language in the setup wizard (id java) */
  N_("Java"),
  /* TRANSLATORS: the name of a programming language in the setup wizard (id ruby) */
  N_("Ruby"),
  /* TRANSLATORS: the name of a programming language in the setup wizard (id php) */
  N_("PHP"),
  /* TRANSLATORS: the name of a programming language in the setup wizard (id flutter) */
  N_("Flutter/Dart"),
  /* TRANSLATORS: the name of a category of tools in the setup wizard (id build-tools) */
  N_("Build tools"),
  /* TRANSLATORS: the name of a category of tools in the setup wizard (id shell) */
  N_("Shell utilities"),
  /* TRANSLATORS: the name of a category of tools in the setup wizard (id networking) */
  N_("Networking"),
  /* TRANSLATORS: the name of a category of tools in the setup wizard (id database) */
  N_("Database clients"),
  /* TRANSLATORS: the name of a category of tools in the setup wizard (id devops) */
  N_("DevOps"),
  /* TRANSLATORS: the name of a category of tools in the setup wizard (id web) */
  N_("Web servers and HTTP"),
  /* TRANSLATORS: the name of a category of tools in the setup wizard (id security) */
  N_("Security"),
  /* TRANSLATORS: the name of a development profile (id base) */
  N_("Base"),
  /* TRANSLATORS: the description of a development profile (id base) */
  N_("Compilers, make, git and the headers most native builds need"),
  /* TRANSLATORS: the name of a development profile (id build-tools) */
  N_("Build tools"),
  /* TRANSLATORS: the description of a development profile (id build-tools) */
  N_("CMake, Ninja and the GNU autotools"),
  /* TRANSLATORS: the name of a development profile (id shell) */
  N_("Shell utilities"),
  /* TRANSLATORS: the description of a development profile (id shell) */
  N_("rsync, an SSH client, manual pages, GnuPG and file"),
  /* TRANSLATORS: the name of a development profile (id networking) */
  N_("Networking"),
  /* TRANSLATORS: the description of a development profile (id networking) */
  N_("Packet filter, routing and DNS diagnostics"),
  /* TRANSLATORS: the name of a development profile (id c) */
  N_("C/C++"),
  /* TRANSLATORS: the description of a development profile (id c) */
  N_("Clang, a debugger, Valgrind, static analysis and common libraries"),
  /* TRANSLATORS: the name of a development profile (id node) */
  N_("Node.js"),
  /* TRANSLATORS: the description of a development profile (id node) */
  N_("Node.js with npm and Yarn"),
  /* TRANSLATORS: the name of a development profile (id python) */
  N_("Python"),
  /* TRANSLATORS: the description of a development profile (id python) */
  N_("Python 3 with venv, pip and the headers for native modules"),
  /* TRANSLATORS: the name of a development profile (id rust) */
  N_("Rust"),
  /* TRANSLATORS: the description of a development profile (id rust) */
  N_("The Rust compiler and Cargo"),
  /* TRANSLATORS: the name of a development profile (id go) */
  N_("Go"),
  /* TRANSLATORS: the description of a development profile (id go) */
  N_("The current Go release and golangci-lint"),
  /* TRANSLATORS: the name of a development profile (id java) */
  N_("Java"),
  /* TRANSLATORS: the description of a development profile (id java) */
  N_("OpenJDK 17, Maven and Gradle"),
  /* TRANSLATORS: the name of a development profile (id ruby) */
  N_("Ruby"),
  /* TRANSLATORS: the description of a development profile (id ruby) */
  N_("Ruby with the headers gems need to build native extensions"),
  /* TRANSLATORS: the name of a development profile (id php) */
  N_("PHP"),
  /* TRANSLATORS: the description of a development profile (id php) */
  N_("PHP with common extensions and Composer"),
  /* TRANSLATORS: the name of a development profile (id database) */
  N_("Database clients"),
  /* TRANSLATORS: the description of a development profile (id database) */
  N_("PostgreSQL, MariaDB, SQLite and Redis clients"),
  /* TRANSLATORS: the name of a development profile (id devops) */
  N_("DevOps"),
  /* TRANSLATORS: the description of a development profile (id devops) */
  N_("Docker client, Kubernetes tools and OpenTofu"),
  /* TRANSLATORS: the name of a development profile (id web) */
  N_("Web servers and HTTP"),
  /* TRANSLATORS: the description of a development profile (id web) */
  N_("nginx, Apache utilities and HTTPie"),
  /* TRANSLATORS: the name of a development profile (id security) */
  N_("Security"),
  /* TRANSLATORS: the description of a development profile (id security) */
  N_("Port scanning, packet capture and netcat"),
  /* TRANSLATORS: the name of a development profile (id flutter) */
  N_("Flutter"),
  /* TRANSLATORS: the description of a development profile (id flutter) */
  N_("The stable Flutter SDK with Dart"),
};
