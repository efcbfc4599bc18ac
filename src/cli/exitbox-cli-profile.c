/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <glib/gi18n.h>

#include "exitbox-cli-private.h"

/* `exitbox AGENT profile list|add|remove|status`: the development profiles
 * of the project in the current folder. config.yaml `profiles` is the
 * default for every project, and the project registry keeps what this
 * project adds or removes. The image picks a change up at the next launch
 * because its exitbox.profiles.hash label no longer matches.
 */

static void
print_usage (void)
{
  g_print ("%s",
           _("Usage: exitbox AGENT profile list\n"
             "       exitbox AGENT profile status\n"
             "       exitbox AGENT profile add PROFILE…\n"
             "       exitbox AGENT profile remove PROFILE…\n"
             "\n"
             "Manage the development profiles of the project in the current folder.\n"
             "“list” shows every profile, with * before those the project uses.\n"
             "“status” shows the project’s profiles and where each comes from.\n"
             "“add” and “remove” change the project only; the defaults for every project\n"
             "are “profiles” in config.yaml. The project image is rebuilt at the next\n"
             "launch of any agent in this folder.\n"));
}

typedef struct
{
  ExitboxConfig     *config;
  ExitboxCatalogue  *catalogue;
  ExitboxProject    *project;
  char              *registry_path;
  char             **profiles;       /* the project's effective profiles */
} ProfileContext;

static void
profile_context_clear (ProfileContext *context)
{
  g_clear_object (&context->catalogue);
  g_clear_object (&context->project);
  g_clear_pointer (&context->registry_path, g_free);
  g_clear_pointer (&context->profiles, g_strfreev);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ProfileContext, profile_context_clear)

static gboolean
profile_context_load (ProfileContext  *context,
                      ExitboxConfig   *config,
                      GError         **error)
{
  g_autofree char *cwd = g_get_current_dir ();

  context->config = config;
  context->catalogue = exitbox_catalogue_load_default (error);
  if (context->catalogue == NULL)
    return FALSE;

  context->project = exitbox_project_new (cwd, error);
  if (context->project == NULL)
    return FALSE;

  context->registry_path = exitbox_project_registry_dup_path ();
  context->profiles = exitbox_project_registry_dup_profiles (context->registry_path,
                                                             exitbox_project_get_key (context->project),
                                                             exitbox_config_get_profiles (config),
                                                             error);
  return context->profiles != NULL;
}

/* Whether the project layer can install @id on @family: it has a package
 * there, or a tool ExitBox downloads itself, and no download of it lacks a
 * build for @family (Flutter on Alpine).
 */
static gboolean
profile_is_installable (ExitboxCatalogue  *catalogue,
                        const char        *id,
                        ExitboxBaseFamily  family)
{
  g_auto(GStrv) packages = exitbox_catalogue_dup_packages (catalogue, id, family, NULL);
  g_auto(GStrv) downloads = exitbox_catalogue_dup_downloads (catalogue, id);

  gboolean installable = packages != NULL && packages[0] != NULL;

  for (guint i = 0; downloads != NULL && downloads[i] != NULL; i++)
    {
      if (exitbox_tool_download_is_supported (downloads[i])
          && !exitbox_tool_download_supports_family (downloads[i], family))
        return FALSE;
      if (exitbox_tool_download_is_supported (downloads[i]))
        installable = TRUE;
    }

  return installable;
}

static int
list_profiles (ProfileContext *context)
{
  g_auto(GStrv) ids = exitbox_catalogue_dup_ids (context->catalogue, EXITBOX_CATALOGUE_PROFILE);
  ExitboxBaseFamily family = exitbox_config_get_base_family (context->config);

  for (guint i = 0; ids[i] != NULL; i++)
    {
      gboolean active = g_strv_contains ((const char * const *) context->profiles, ids[i]);
      const char *description = exitbox_catalogue_get_description (context->catalogue,
                                                                   EXITBOX_CATALOGUE_PROFILE,
                                                                   ids[i]);

      g_print ("%s %-12s %s%s\n", active ? "*" : " ", ids[i], description,
               profile_is_installable (context->catalogue, ids[i], family)
               ? "" : _(" (not installable on this base yet)"));
    }

  return 0;
}

static int
show_status (ProfileContext *context)
{
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  const char * const *defaults = exitbox_config_get_profiles (context->config);
  ExitboxProjectRecord *record = NULL;

  records = exitbox_project_registry_load (context->registry_path, &error);
  if (records == NULL)
    {
      exitbox_cli_print_error (error->message);
      return 1;
    }
  record = exitbox_project_registry_find_key (records, exitbox_project_get_key (context->project));

  g_print (_("Project: %s\n"), exitbox_project_get_path (context->project));
  if (context->profiles[0] == NULL)
    g_print (_("Profiles: none\n"));
  else
    g_print (_("Profiles:\n"));

  for (guint i = 0; context->profiles[i] != NULL; i++)
    {
      const char *id = context->profiles[i];
      gboolean is_default = defaults != NULL && g_strv_contains (defaults, id);

      g_print ("  %-12s %s\n", id,
               is_default ? _("from config.yaml") : _("added to this project"));
    }

  for (guint i = 0; record != NULL && record->profiles_removed[i] != NULL; i++)
    g_print ("  %-12s %s\n", record->profiles_removed[i],
             _("removed from this project (in config.yaml)"));

  return 0;
}

static int
change_profiles (ProfileContext  *context,
                 gboolean         add,
                 char           **names)
{
  ExitboxBaseFamily family = exitbox_config_get_base_family (context->config);
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();
  gboolean any_changed = FALSE;

  if (names[0] == NULL)
    {
      exitbox_cli_print_error (add ? _("“profile add” needs at least one profile name. Run "
                                       "“exitbox AGENT profile list” to see them.")
                                   : _("“profile remove” needs at least one profile name. Run "
                                       "“exitbox AGENT profile status” to see the project’s."));
      return 2;
    }

  /* Every name is checked before the registry changes. */
  for (guint i = 0; names[i] != NULL; i++)
    {
      const char *id = exitbox_catalogue_match_id (context->catalogue, EXITBOX_CATALOGUE_PROFILE,
                                                   names[i]);

      if (id == NULL)
        {
          g_auto(GStrv) known = exitbox_catalogue_dup_ids (context->catalogue,
                                                           EXITBOX_CATALOGUE_PROFILE);
          g_autofree char *joined = g_strjoinv (", ", known);
          g_autofree char *message =
            g_strdup_printf (_("Unknown profile “%s”. The profiles are: %s."), names[i], joined);
          exitbox_cli_print_error (message);
          return 2;
        }

      if (add && !profile_is_installable (context->catalogue, id, family))
        {
          g_autofree char *message =
            g_strdup_printf (_("The profile “%s” has no %s package, and this version of "
                               "ExitBox cannot install it on that base yet."),
                             id, exitbox_base_family_to_string (family));
          exitbox_cli_print_error (message);
          return 1;
        }

      g_ptr_array_add (ids, (gpointer) id);
    }

  for (guint i = 0; i < ids->len; i++)
    {
      const char *id = g_ptr_array_index (ids, i);
      g_autoptr(GError) error = NULL;
      gboolean changed = FALSE;

      if (!exitbox_project_registry_change_profile (context->registry_path, context->project, id,
                                                    add, exitbox_config_get_profiles (context->config),
                                                    &changed, &error))
        {
          exitbox_cli_print_error (error->message);
          return 1;
        }

      any_changed |= changed;
      if (changed && add)
        g_print (_("Added the profile %s to %s\n"), id,
                 exitbox_project_get_path (context->project));
      else if (changed)
        g_print (_("Removed the profile %s from %s\n"), id,
                 exitbox_project_get_path (context->project));
      else if (add)
        g_print (_("The project already uses the profile %s, so nothing changed.\n"), id);
      else
        g_print (_("The project does not use the profile %s, so nothing changed.\n"), id);
    }

  if (any_changed)
    g_print (_("The project image is rebuilt with the new profiles at the next launch.\n"));
  return 0;
}

int
exitbox_cli_profile (CliOptions    *options,
                     ExitboxConfig *config)
{
  g_auto(ProfileContext) context = { 0 };
  g_autoptr(GError) error = NULL;
  const char *action = options->args[0];

  if (action == NULL || exitbox_cli_wants_help (options->args))
    {
      print_usage ();
      return action == NULL ? 2 : 0;
    }

  if (!g_str_equal (action, "list") && !g_str_equal (action, "status") &&
      !g_str_equal (action, "add") && !g_str_equal (action, "remove"))
    {
      g_autofree char *message =
        g_strdup_printf (_("Unknown profile command “%s”. It is one of list, status, add and "
                           "remove."),
                         action);
      exitbox_cli_print_error (message);
      return 2;
    }

  if ((g_str_equal (action, "list") || g_str_equal (action, "status")) && options->args[1] != NULL)
    {
      g_autofree char *message =
        g_strdup_printf (_("“profile %s” takes no arguments, but got “%s”."), action,
                         options->args[1]);
      exitbox_cli_print_error (message);
      return 2;
    }

  if (!profile_context_load (&context, config, &error))
    {
      exitbox_cli_print_error (error->message);
      return 1;
    }

  if (g_str_equal (action, "list"))
    return list_profiles (&context);
  if (g_str_equal (action, "status"))
    return show_status (&context);

  return change_profiles (&context, g_str_equal (action, "add"), &options->args[1]);
}
