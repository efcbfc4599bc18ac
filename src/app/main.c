/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#define G_LOG_DOMAIN "exitbox-desktop"

#include <glib/gi18n.h>
#include <locale.h>

#include "exitbox-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(ExitboxApplication) app = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = exitbox_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
