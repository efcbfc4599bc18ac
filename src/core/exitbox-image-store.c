/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <glib/gi18n-lib.h>
#include <string.h>

#include "exitbox-image-store.h"
#include "exitbox-inspection.h"

void
exitbox_image_record_free (ExitboxImageRecord *record)
{
  if (record == NULL)
    return;

  g_free (record->id);
  g_free (record->name);
  g_free (record->agent);
  g_free (record->agent_version);
  g_free (record->project);
  g_free (record);
}

/* Every layer carries exitbox.version. The project layer inherits the
 * core's exitbox.agent, so exitbox.project is checked first, and only the
 * base layer records the user's uid.
 */
static ExitboxImageLayer
classify_layer (ExitboxInspection *inspection,
                const char        *id)
{
  if (exitbox_inspection_get_image_label (inspection, id, "exitbox.project") != NULL)
    return EXITBOX_IMAGE_LAYER_PROJECT;
  if (exitbox_inspection_get_image_label (inspection, id, "exitbox.agent") != NULL)
    return EXITBOX_IMAGE_LAYER_CORE;
  if (exitbox_inspection_get_image_label (inspection, id, "exitbox.uid") != NULL)
    return EXITBOX_IMAGE_LAYER_BASE;

  return EXITBOX_IMAGE_LAYER_PROXY;
}

GPtrArray *
exitbox_image_store_list (ExitboxEngine  *engine,
                          gboolean        dangling_only,
                          GCancellable   *cancellable,
                          GError        **error)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(ExitboxInspection) inspection = NULL;
  g_autofree char *output = NULL;
  g_auto(GStrv) lines = NULL;

  g_return_val_if_fail (EXITBOX_IS_ENGINE (engine), NULL);

  g_ptr_array_add (args, (gpointer) "images");
  g_ptr_array_add (args, (gpointer) "--quiet");
  g_ptr_array_add (args, (gpointer) "--no-trunc");
  g_ptr_array_add (args, (gpointer) "--filter");
  g_ptr_array_add (args, (gpointer) "label=exitbox.version");
  if (dangling_only)
    {
      g_ptr_array_add (args, (gpointer) "--filter");
      g_ptr_array_add (args, (gpointer) "dangling=true");
    }
  g_ptr_array_add (args, NULL);

  if (!exitbox_engine_run_checked (engine, (const char * const *) args->pdata, &output,
                                   cancellable, error))
    return NULL;

  /* An image with two tags is listed once per tag. */
  lines = g_strsplit (output, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *id = g_strstrip (lines[i]);

      if (g_str_has_prefix (id, "sha256:"))
        id += strlen ("sha256:");
      if (*id == '\0' || g_ptr_array_find_with_equal_func (ids, id, g_str_equal, NULL))
        continue;
      g_ptr_array_add (ids, g_strdup (id));
    }

  records = g_ptr_array_new_with_free_func ((GDestroyNotify) exitbox_image_record_free);
  if (ids->len == 0)
    return g_steal_pointer (&records);

  g_ptr_array_add (ids, NULL);
  inspection = exitbox_engine_inspect (engine, (const char * const *) ids->pdata, cancellable,
                                       error);
  if (inspection == NULL)
    return NULL;

  for (guint i = 0; i < ids->len && g_ptr_array_index (ids, i) != NULL; i++)
    {
      const char *id = g_ptr_array_index (ids, i);
      ExitboxImageRecord *record;

      /* An image removed between the two calls is left out. */
      if (!exitbox_inspection_has_image (inspection, id))
        continue;

      record = g_new0 (ExitboxImageRecord, 1);
      record->id = g_strdup (id);
      record->name = g_strdup (exitbox_inspection_get_image_name (inspection, id));
      record->layer = classify_layer (inspection, id);
      record->agent = g_strdup (exitbox_inspection_get_image_label (inspection, id, "exitbox.agent"));
      record->agent_version = g_strdup (exitbox_inspection_get_image_label (inspection, id,
                                                                            "exitbox.agent.version"));
      record->project = g_strdup (exitbox_inspection_get_image_label (inspection, id,
                                                                      "exitbox.project"));
      g_ptr_array_add (records, record);
    }

  return g_steal_pointer (&records);
}

static gint
compare_removal_order (gconstpointer a,
                       gconstpointer b)
{
  const ExitboxImageRecord *left = *(ExitboxImageRecord **) a;
  const ExitboxImageRecord *right = *(ExitboxImageRecord **) b;

  /* The enum lists layers from the bottom up, so the highest goes first. */
  return (gint) right->layer - (gint) left->layer;
}

gboolean
exitbox_image_store_remove (ExitboxEngine  *engine,
                            GPtrArray      *records,
                            guint          *out_removed,
                            GCancellable   *cancellable,
                            GError        **error)
{
  g_autoptr(GPtrArray) ordered = NULL;
  g_autoptr(GString) failures = g_string_new (NULL);
  guint removed = 0;
  guint failed = 0;

  g_return_val_if_fail (EXITBOX_IS_ENGINE (engine), FALSE);
  g_return_val_if_fail (records != NULL, FALSE);

  /* A plain array: g_ptr_array_copy() would also copy the free function. */
  ordered = g_ptr_array_sized_new (records->len);
  for (guint i = 0; i < records->len; i++)
    g_ptr_array_add (ordered, g_ptr_array_index (records, i));
  g_ptr_array_sort (ordered, compare_removal_order);

  for (guint i = 0; i < ordered->len; i++)
    {
      ExitboxImageRecord *record = g_ptr_array_index (ordered, i);
      const char * const args[] = { "rmi", record->id, NULL };
      g_autoptr(GError) local_error = NULL;

      if (exitbox_engine_run_checked (engine, args, NULL, cancellable, &local_error))
        {
          removed++;
          continue;
        }

      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }

      failed++;
      g_string_append_printf (failures, "\n  %s (%s): %s",
                              record->name != NULL ? record->name : _("untagged"),
                              record->id, local_error->message);
    }

  if (out_removed != NULL)
    *out_removed = removed;

  if (failed > 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   g_dngettext (GETTEXT_PACKAGE,
                                "The engine did not remove %u image. Stop the sessions that use "
                                "it and try again:%s",
                                "The engine did not remove %u images. Stop the sessions that use "
                                "them and try again:%s",
                                failed),
                   failed, failures->str);
      return FALSE;
    }

  return TRUE;
}
