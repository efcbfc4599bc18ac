/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <gio/gio.h>

#include "exitbox-host-info.h"
#include "exitbox-test-utils.h"

static void
test_host_info_podman (void)
{
  g_autofree char *json = exitbox_test_load_engine_fixture ("podman-info-rootful.json");
  g_autoptr(ExitboxHostInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  info = exitbox_host_info_parse (EXITBOX_ENGINE_KIND_PODMAN, json, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (info->oci_runtime, ==, "runc");
  g_assert_cmpstr (info->cgroup_version, ==, "v1");
}

static void
test_host_info_docker (void)
{
  const char *json = "{\"ID\": \"x\", \"DefaultRuntime\": \"runc\", \"CgroupVersion\": \"2\"}";
  g_autoptr(ExitboxHostInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  info = exitbox_host_info_parse (EXITBOX_ENGINE_KIND_DOCKER, json, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (info->oci_runtime, ==, "runc");
  g_assert_cmpstr (info->cgroup_version, ==, "2");
}

static void
test_host_info_missing_members (void)
{
  g_autoptr(ExitboxHostInfo) podman = NULL;
  g_autoptr(ExitboxHostInfo) docker = NULL;
  g_autoptr(GError) error = NULL;

  podman = exitbox_host_info_parse (EXITBOX_ENGINE_KIND_PODMAN, "{\"host\": {}}", &error);
  g_assert_no_error (error);
  g_assert_null (podman->oci_runtime);
  g_assert_null (podman->cgroup_version);

  docker = exitbox_host_info_parse (EXITBOX_ENGINE_KIND_DOCKER, "{\"CgroupVersion\": 2}", &error);
  g_assert_no_error (error);
  g_assert_null (docker->cgroup_version);
}

static void
test_host_info_invalid (void)
{
  g_autoptr(ExitboxHostInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  info = exitbox_host_info_parse (EXITBOX_ENGINE_KIND_DOCKER, "[1, 2]", &error);
  g_assert_null (info);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/host-info/podman", test_host_info_podman);
  g_test_add_func ("/host-info/docker", test_host_info_docker);
  g_test_add_func ("/host-info/missing-members", test_host_info_missing_members);
  g_test_add_func ("/host-info/invalid", test_host_info_invalid);

  return g_test_run ();
}
