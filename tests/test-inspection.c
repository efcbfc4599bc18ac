/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <glib.h>

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  return g_test_run ();
}
