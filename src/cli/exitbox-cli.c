/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include "exitbox-cli.h"

int
exitbox_cli_main (int argc, char *argv[])
{
  return 1;
}
