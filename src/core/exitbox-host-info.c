/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "exitbox-doctor-private.h"
#include "exitbox-host-info.h"

void
exitbox_host_info_free (ExitboxHostInfo *info)
{
  if (info == NULL)
    return;

  g_free (info->oci_runtime);
  g_free (info->cgroup_version);
  g_free (info);
}

/* docker info prints DefaultRuntime and CgroupVersion at the top level. */
static ExitboxHostInfo *
parse_docker (const char  *info_json,
              GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(ExitboxHostInfo) info = g_new0 (ExitboxHostInfo, 1);
  JsonNode *root;
  JsonObject *object;

  if (!json_parser_load_from_data (parser, info_json, -1, error))
    return NULL;

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The output of “docker info” is not a JSON object"));
      return NULL;
    }

  object = json_node_get_object (root);
  if (json_object_has_member (object, "DefaultRuntime") &&
      json_node_get_value_type (json_object_get_member (object, "DefaultRuntime")) == G_TYPE_STRING)
    info->oci_runtime = g_strdup (json_object_get_string_member (object, "DefaultRuntime"));
  if (json_object_has_member (object, "CgroupVersion") &&
      json_node_get_value_type (json_object_get_member (object, "CgroupVersion")) == G_TYPE_STRING)
    info->cgroup_version = g_strdup (json_object_get_string_member (object, "CgroupVersion"));

  return g_steal_pointer (&info);
}

ExitboxHostInfo *
exitbox_host_info_parse (ExitboxEngineKind   kind,
                         const char         *info_json,
                         GError            **error)
{
  ExitboxDoctorFacts facts = { 0 };
  ExitboxHostInfo *info;

  g_return_val_if_fail (info_json != NULL, NULL);

  if (kind == EXITBOX_ENGINE_KIND_DOCKER)
    return parse_docker (info_json, error);

  if (!exitbox_doctor_facts_read_info (&facts, info_json, error))
    {
      exitbox_doctor_facts_clear (&facts);
      return NULL;
    }

  info = g_new0 (ExitboxHostInfo, 1);
  info->oci_runtime = g_steal_pointer (&facts.oci_runtime);
  info->cgroup_version = g_steal_pointer (&facts.cgroup_version);
  exitbox_doctor_facts_clear (&facts);

  return info;
}

ExitboxHostInfo *
exitbox_host_info_query (ExitboxEngine  *engine,
                         GError        **error)
{
  static const char * const podman_args[] = { "info", "--format", "json", NULL };
  static const char * const docker_args[] = { "info", "--format", "{{json .}}", NULL };
  ExitboxEngineKind kind;
  g_autofree char *output = NULL;

  g_return_val_if_fail (EXITBOX_IS_ENGINE (engine), NULL);

  kind = exitbox_engine_get_kind (engine);
  if (!exitbox_engine_run_checked (engine,
                                   kind == EXITBOX_ENGINE_KIND_DOCKER ? docker_args : podman_args,
                                   &output, NULL, error))
    return NULL;

  return exitbox_host_info_parse (kind, output, error);
}
