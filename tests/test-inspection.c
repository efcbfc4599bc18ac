/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

/* The podman-*.json fixtures are real output of podman 4.3.1 (Debian 12,
 * rootful) for objects made for the capture. They are the image
 * localhost/exitbox-h2-test-img:latest with exitbox.* labels and the
 * networks exitbox-h2-test-net and exitbox-h2-test-int (--internal). The
 * running container exitbox-h2-test-ctr is attached to both networks, and
 * exitbox-h2-test-stopped was created but never started.
 *
 * The docker-*.json fixtures are hand-written, because no docker engine was
 * available: they follow the documented schema of `docker inspect` in docker
 * 20.10 (image, network and container objects), as one array and as one
 * object per line.
 */

#include <gio/gio.h>

#include "exitbox-inspection.h"
#include "exitbox-test-utils.h"

#define PODMAN_IMAGE      "localhost/exitbox-h2-test-img:latest"
#define PODMAN_IMAGE_ID   "d64aecf1a912c9c3baf8c64845c9f40bcade7ff5aaaa8247c73926fb48647642"
#define PODMAN_CONTAINER  "exitbox-h2-test-ctr"
#define PODMAN_STOPPED    "exitbox-h2-test-stopped"
#define PODMAN_INTERNAL   "exitbox-h2-test-int"
#define PODMAN_EXTERNAL   "exitbox-h2-test-net"

#define DOCKER_IMAGE_ID   "sha256:5c1a9d3e7b2f40c8a6e1d9b7f3a2c5e8d0b4f6a1c3e5d7b9f0a2c4e6d8b0f1a3"

static ExitboxInspection *
inspection_from_fixture (ExitboxEngineKind  kind,
                         const char        *name)
{
  g_autofree char *json = exitbox_test_load_engine_fixture (name);
  g_autoptr(GError) error = NULL;
  ExitboxInspection *inspection;

  inspection = exitbox_inspection_new_from_json (kind, json, &error);
  g_assert_no_error (error);
  g_assert_nonnull (inspection);

  return inspection;
}

static void
test_inspection_podman_image (void)
{
  g_autoptr(ExitboxInspection) inspection =
    inspection_from_fixture (EXITBOX_ENGINE_KIND_PODMAN, "podman-inspect-mixed.json");

  g_assert_true (exitbox_inspection_has_image (inspection, PODMAN_IMAGE));
  g_assert_cmpstr (exitbox_inspection_get_image_id (inspection, PODMAN_IMAGE), ==, PODMAN_IMAGE_ID);
  g_assert_cmpstr (exitbox_inspection_get_image_label (inspection, PODMAN_IMAGE, "exitbox.agent"),
                   ==, "claude");
  g_assert_cmpstr (exitbox_inspection_get_image_label (inspection, PODMAN_IMAGE, "exitbox.tools-hash"),
                   ==, "3f2a9c41d0e7b5a8");
  g_assert_cmpstr (exitbox_inspection_get_image_label (inspection, PODMAN_IMAGE, "exitbox.version"),
                   ==, "0.1.0");
  g_assert_null (exitbox_inspection_get_image_label (inspection, PODMAN_IMAGE, "exitbox.absent"));
  g_assert_false (exitbox_inspection_has_image (inspection, "exitbox-h2-test-img:other"));
  g_assert_null (exitbox_inspection_get_image_id (inspection, "exitbox-base"));
}

static void
test_inspection_image_name_forms (void)
{
  g_autoptr(ExitboxInspection) podman =
    inspection_from_fixture (EXITBOX_ENGINE_KIND_PODMAN, "podman-inspect-mixed.json");
  g_autoptr(ExitboxInspection) docker =
    inspection_from_fixture (EXITBOX_ENGINE_KIND_DOCKER, "docker-inspect-mixed.json");
  const char * const podman_forms[] = {
    "exitbox-h2-test-img",
    "exitbox-h2-test-img:latest",
    "localhost/exitbox-h2-test-img:latest",
    "docker.io/library/exitbox-h2-test-img:latest",
    "d64aecf1a912",
    "sha256:" PODMAN_IMAGE_ID,
  };
  const char * const docker_forms[] = {
    "exitbox-base",
    "exitbox-base:latest",
    "localhost/exitbox-base:latest",
    "docker.io/library/exitbox-base:latest",
    "5c1a9d3e7b2f",
  };

  for (guint i = 0; i < G_N_ELEMENTS (podman_forms); i++)
    g_assert_cmpstr (exitbox_inspection_get_image_id (podman, podman_forms[i]), ==, PODMAN_IMAGE_ID);

  for (guint i = 0; i < G_N_ELEMENTS (docker_forms); i++)
    g_assert_cmpstr (exitbox_inspection_get_image_id (docker, docker_forms[i]), ==, DOCKER_IMAGE_ID);

  /* A different registry, repository or tag is a different image. */
  g_assert_false (exitbox_inspection_has_image (docker, "quay.io/exitbox-base:latest"));
  g_assert_false (exitbox_inspection_has_image (docker, "someone/exitbox-base:latest"));
  g_assert_false (exitbox_inspection_has_image (docker, "exitbox-base:1.0"));
  /* A short ID prefix is ambiguous, so it does not match. */
  g_assert_false (exitbox_inspection_has_image (docker, "5c1a"));
}

static void
test_inspection_podman_container (void)
{
  g_autoptr(ExitboxInspection) inspection =
    inspection_from_fixture (EXITBOX_ENGINE_KIND_PODMAN, "podman-inspect-mixed.json");

  g_assert_true (exitbox_inspection_has_container (inspection, PODMAN_CONTAINER));
  g_assert_true (exitbox_inspection_get_container_running (inspection, PODMAN_CONTAINER));
  g_assert_cmpstr (exitbox_inspection_get_container_label (inspection, PODMAN_CONTAINER,
                                                           "exitbox.agent"), ==, "claude");
  g_assert_null (exitbox_inspection_get_container_label (inspection, PODMAN_CONTAINER,
                                                         "exitbox.missing"));
  g_assert_cmpstr (exitbox_inspection_get_container_image_id (inspection, PODMAN_CONTAINER),
                   ==, PODMAN_IMAGE_ID);
  g_assert_cmpstr (exitbox_inspection_get_container_address (inspection, PODMAN_CONTAINER,
                                                             PODMAN_INTERNAL), ==, "10.89.1.2");
  g_assert_cmpstr (exitbox_inspection_get_container_address (inspection, PODMAN_CONTAINER,
                                                             PODMAN_EXTERNAL), ==, "10.89.0.4");
  g_assert_cmpstr (exitbox_inspection_get_container_gateway (inspection, PODMAN_CONTAINER,
                                                             PODMAN_INTERNAL), ==, "10.89.1.1");
  g_assert_cmpstr (exitbox_inspection_get_container_subnet (inspection, PODMAN_CONTAINER,
                                                            PODMAN_INTERNAL), ==, "10.89.1.0/24");
  g_assert_null (exitbox_inspection_get_container_address (inspection, PODMAN_CONTAINER, "podman"));
  g_assert_true (exitbox_inspection_has_container (inspection, "5209081e3afd"));
}

static void
test_inspection_podman_stopped_container (void)
{
  g_autoptr(ExitboxInspection) inspection =
    inspection_from_fixture (EXITBOX_ENGINE_KIND_PODMAN, "podman-inspect-mixed.json");

  g_assert_true (exitbox_inspection_has_container (inspection, PODMAN_STOPPED));
  g_assert_false (exitbox_inspection_get_container_running (inspection, PODMAN_STOPPED));
  /* A container that never started has an empty address, which reads as none. */
  g_assert_null (exitbox_inspection_get_container_address (inspection, PODMAN_STOPPED,
                                                           PODMAN_INTERNAL));
  g_assert_null (exitbox_inspection_get_container_subnet (inspection, PODMAN_STOPPED,
                                                          PODMAN_INTERNAL));
}

static void
test_inspection_podman_absent_names (void)
{
  g_autoptr(ExitboxInspection) inspection =
    inspection_from_fixture (EXITBOX_ENGINE_KIND_PODMAN, "podman-inspect-mixed.json");

  /* podman 4.3.1 left the network out of this mixed call (see test-engine). */
  g_assert_false (exitbox_inspection_has_network (inspection, PODMAN_INTERNAL));
  g_assert_false (exitbox_inspection_has_object (inspection, "exitbox-h2-test-missing"));
  g_assert_false (exitbox_inspection_has_container (inspection, "exitbox-h2-test-missing"));
  g_assert_false (exitbox_inspection_get_container_running (inspection, "exitbox-h2-test-missing"));
  g_assert_null (exitbox_inspection_get_network_subnet (inspection, "exitbox-h2-test-missing"));
  g_assert_false (exitbox_inspection_get_network_internal (inspection, "exitbox-h2-test-missing"));
  g_assert_true (exitbox_inspection_has_object (inspection, PODMAN_CONTAINER));
  g_assert_true (exitbox_inspection_has_object (inspection, "exitbox-h2-test-img"));
}

/* Captured from podman 4.3.1: `network create --internal --disable-dns`. */
static void
test_inspection_podman_network_without_dns (void)
{
  g_autoptr(ExitboxInspection) inspection =
    inspection_from_fixture (EXITBOX_ENGINE_KIND_PODMAN, "podman-network-inspect-no-dns.json");

  g_assert_true (exitbox_inspection_has_network (inspection, "exitbox-lead-nodns"));
  g_assert_true (exitbox_inspection_get_network_internal (inspection, "exitbox-lead-nodns"));
  g_assert_false (exitbox_inspection_get_network_dns_enabled (inspection, "exitbox-lead-nodns"));
}

static void
test_inspection_podman_networks (void)
{
  g_autoptr(ExitboxInspection) inspection =
    inspection_from_fixture (EXITBOX_ENGINE_KIND_PODMAN, "podman-network-inspect.json");

  g_assert_true (exitbox_inspection_has_network (inspection, PODMAN_INTERNAL));
  g_assert_true (exitbox_inspection_get_network_internal (inspection, PODMAN_INTERNAL));
  g_assert_cmpstr (exitbox_inspection_get_network_subnet (inspection, PODMAN_INTERNAL),
                   ==, "10.89.1.0/24");
  g_assert_cmpstr (exitbox_inspection_get_network_gateway (inspection, PODMAN_INTERNAL),
                   ==, "10.89.1.1");

  g_assert_true (exitbox_inspection_has_network (inspection, PODMAN_EXTERNAL));
  g_assert_false (exitbox_inspection_get_network_internal (inspection, PODMAN_EXTERNAL));
  g_assert_cmpstr (exitbox_inspection_get_network_subnet (inspection, PODMAN_EXTERNAL),
                   ==, "10.89.0.0/24");
  g_assert_cmpstr (exitbox_inspection_get_network_gateway (inspection, PODMAN_EXTERNAL),
                   ==, "10.89.0.1");

  g_assert_true (exitbox_inspection_get_network_dns_enabled (inspection, PODMAN_INTERNAL));
  g_assert_false (exitbox_inspection_get_network_dns_enabled (inspection, "exitbox-h2-test-missing"));

  g_assert_false (exitbox_inspection_has_network (inspection, "exitbox-h2-test-missing"));
  g_assert_false (exitbox_inspection_has_image (inspection, PODMAN_INTERNAL));
}

/* podman 4.3.1 prints NET1's object twice for `inspect NET1 NET2`. The
 * parser keys networks by their own name, so NET2 reads as absent instead of
 * as a copy of NET1.
 */
static void
test_inspection_podman_duplicate_networks (void)
{
  g_autoptr(ExitboxInspection) inspection =
    inspection_from_fixture (EXITBOX_ENGINE_KIND_PODMAN, "podman-inspect-networks-only.json");

  g_assert_true (exitbox_inspection_has_network (inspection, PODMAN_INTERNAL));
  g_assert_false (exitbox_inspection_has_network (inspection, PODMAN_EXTERNAL));
}

static void
test_inspection_podman_empty (void)
{
  g_autoptr(ExitboxInspection) from_array =
    inspection_from_fixture (EXITBOX_ENGINE_KIND_PODMAN, "podman-inspect-missing.json");
  g_autoptr(ExitboxInspection) from_blank = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_false (exitbox_inspection_has_object (from_array, "exitbox-h2-test-missing"));

  from_blank = exitbox_inspection_new_from_json (EXITBOX_ENGINE_KIND_PODMAN, " \n", &error);
  g_assert_no_error (error);
  g_assert_false (exitbox_inspection_has_object (from_blank, "exitbox-h2-test-missing"));
}

static void
test_inspection_add_json_merges (void)
{
  g_autoptr(ExitboxInspection) inspection =
    inspection_from_fixture (EXITBOX_ENGINE_KIND_PODMAN, "podman-inspect-mixed.json");
  g_autofree char *networks = exitbox_test_load_engine_fixture ("podman-network-inspect.json");
  g_autoptr(GError) error = NULL;

  g_assert_true (exitbox_inspection_add_json (inspection, EXITBOX_ENGINE_KIND_PODMAN, networks,
                                              &error));
  g_assert_no_error (error);

  g_assert_true (exitbox_inspection_has_network (inspection, PODMAN_INTERNAL));
  g_assert_true (exitbox_inspection_get_network_internal (inspection, PODMAN_INTERNAL));
  g_assert_true (exitbox_inspection_get_container_running (inspection, PODMAN_CONTAINER));
  g_assert_true (exitbox_inspection_has_image (inspection, PODMAN_IMAGE));
}

static void
check_docker_objects (ExitboxInspection *inspection)
{
  g_assert_true (exitbox_inspection_has_image (inspection, "exitbox-base"));
  g_assert_cmpstr (exitbox_inspection_get_image_id (inspection, "exitbox-base:latest"),
                   ==, DOCKER_IMAGE_ID);
  g_assert_cmpstr (exitbox_inspection_get_image_label (inspection, "exitbox-base", "exitbox.agent"),
                   ==, "claude");

  g_assert_true (exitbox_inspection_has_network (inspection, "exitbox-int"));
  g_assert_true (exitbox_inspection_get_network_internal (inspection, "exitbox-int"));
  g_assert_cmpstr (exitbox_inspection_get_network_subnet (inspection, "exitbox-int"),
                   ==, "172.30.0.0/16");
  g_assert_cmpstr (exitbox_inspection_get_network_gateway (inspection, "exitbox-int"),
                   ==, "172.30.0.1");

  /* exitbox-egress lists its IPv6 subnet first; the IPv4 one is reported. */
  g_assert_false (exitbox_inspection_get_network_internal (inspection, "exitbox-egress"));
  g_assert_cmpstr (exitbox_inspection_get_network_subnet (inspection, "exitbox-egress"),
                   ==, "172.31.0.0/16");
  g_assert_cmpstr (exitbox_inspection_get_network_gateway (inspection, "exitbox-egress"),
                   ==, "172.31.0.1");

  /* Docker prints container names as "/exitbox-squid". */
  g_assert_true (exitbox_inspection_has_container (inspection, "exitbox-squid"));
  g_assert_true (exitbox_inspection_has_container (inspection, "/exitbox-squid"));
  g_assert_true (exitbox_inspection_get_container_running (inspection, "exitbox-squid"));
  g_assert_cmpstr (exitbox_inspection_get_container_address (inspection, "exitbox-squid",
                                                             "exitbox-int"), ==, "172.30.0.2");
  g_assert_cmpstr (exitbox_inspection_get_container_address (inspection, "exitbox-squid",
                                                             "exitbox-egress"), ==, "172.31.0.2");
  g_assert_cmpstr (exitbox_inspection_get_container_subnet (inspection, "exitbox-squid",
                                                            "exitbox-int"), ==, "172.30.0.0/16");

  g_assert_true (exitbox_inspection_has_container (inspection, "exitbox-old-session"));
  g_assert_false (exitbox_inspection_get_container_running (inspection, "exitbox-old-session"));
  g_assert_cmpstr (exitbox_inspection_get_container_image_id (inspection, "exitbox-old-session"),
                   ==, DOCKER_IMAGE_ID);
  g_assert_null (exitbox_inspection_get_container_address (inspection, "exitbox-old-session",
                                                           "exitbox-int"));

  g_assert_false (exitbox_inspection_has_object (inspection, "exitbox-missing"));
}

static void
test_inspection_docker_array (void)
{
  g_autoptr(ExitboxInspection) inspection =
    inspection_from_fixture (EXITBOX_ENGINE_KIND_DOCKER, "docker-inspect-mixed.json");

  check_docker_objects (inspection);
}

static void
test_inspection_docker_lines (void)
{
  g_autoptr(ExitboxInspection) inspection =
    inspection_from_fixture (EXITBOX_ENGINE_KIND_DOCKER, "docker-inspect-lines.json");

  check_docker_objects (inspection);
}

static void
test_inspection_malformed_json (void)
{
  const char * const podman_inputs[] = {
    "[{\"Id\": ",
    "\"just a string\"",
    "42",
    "[{}]\n[{}]\n",
  };
  const char * const docker_inputs[] = {
    "[{\"Id\": ",
    "{\"Name\": \"exitbox-int\", \"IPAM\": {}}\n{\"Name\": ",
    "{\"Name\": \"exitbox-int\", \"IPAM\": {}}\n\"text\"\n",
  };

  for (guint i = 0; i < G_N_ELEMENTS (podman_inputs); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ExitboxInspection) inspection = NULL;

      inspection = exitbox_inspection_new_from_json (EXITBOX_ENGINE_KIND_PODMAN, podman_inputs[i],
                                                     &error);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
      g_assert_null (inspection);
    }

  for (guint i = 0; i < G_N_ELEMENTS (docker_inputs); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ExitboxInspection) inspection = NULL;

      inspection = exitbox_inspection_new_from_json (EXITBOX_ENGINE_KIND_DOCKER, docker_inputs[i],
                                                     &error);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
      g_assert_null (inspection);
    }
}

static void
test_inspection_failed_add_keeps_data (void)
{
  g_autoptr(ExitboxInspection) inspection =
    inspection_from_fixture (EXITBOX_ENGINE_KIND_DOCKER, "docker-inspect-lines.json");
  g_autoptr(GError) error = NULL;
  const char *partly_valid =
    "{\"Name\": \"exitbox-new\", \"Id\": \"1\", \"IPAM\": {}, \"Internal\": true}\n{broken\n";

  g_assert_false (exitbox_inspection_add_json (inspection, EXITBOX_ENGINE_KIND_DOCKER,
                                               partly_valid, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_false (exitbox_inspection_has_network (inspection, "exitbox-new"));
  g_assert_true (exitbox_inspection_has_network (inspection, "exitbox-int"));
}

static void
test_inspection_wrong_member_types (void)
{
  const char *json =
    "[\n"
    "  42,\n"
    "  \"text\",\n"
    "  {\"Id\": \"c1\", \"Name\": \"state-is-text\", \"State\": \"running\"},\n"
    "  {\"Id\": \"c2\", \"Name\": 7, \"State\": {\"Running\": true}},\n"
    "  {\"Id\": \"c3\", \"Name\": \"odd-container\", \"Image\": 12,\n"
    "   \"State\": {\"Running\": \"yes\"},\n"
    "   \"NetworkSettings\": {\"Networks\": {\"n1\": \"10.0.0.2\",\n"
    "                                        \"n2\": {\"IPAddress\": 10, \"Gateway\": [],\n"
    "                                               \"IPPrefixLen\": \"24\"},\n"
    "                                        \"n3\": {\"IPAddress\": \"10.3.0.5\",\n"
    "                                               \"IPPrefixLen\": \"24\"}}}},\n"
    "  {\"Id\": \"i1\", \"RepoTags\": [42, null, \"odd-image:1\"],\n"
    "   \"Config\": {\"Labels\": {\"number\": 1, \"text\": \"value\", \"list\": []}},\n"
    "   \"Labels\": \"not-an-object\"},\n"
    "  {\"Id\": \"i2\", \"RepoTags\": \"odd-image:2\"},\n"
    "  {\"name\": \"odd-network\", \"driver\": \"bridge\", \"subnets\": \"10.0.0.0/8\",\n"
    "   \"internal\": \"true\"},\n"
    "  {\"name\": \"odd-network-2\", \"subnets\": [\"10.1.0.0/16\", {\"subnet\": 5},\n"
    "                                            {\"subnet\": \"fd00::/64\", \"gateway\": \"fd00::1\"},\n"
    "                                            {\"subnet\": \"10.2.0.0/16\", \"gateway\": 1}]},\n"
    "  {\"name\": 3, \"subnets\": []}\n"
    "]\n";
  g_autoptr(ExitboxInspection) inspection = NULL;
  g_autoptr(GError) error = NULL;

  inspection = exitbox_inspection_new_from_json (EXITBOX_ENGINE_KIND_PODMAN, json, &error);
  g_assert_no_error (error);
  g_assert_nonnull (inspection);

  g_assert_false (exitbox_inspection_has_container (inspection, "state-is-text"));
  g_assert_false (exitbox_inspection_has_container (inspection, "c2"));

  g_assert_true (exitbox_inspection_has_container (inspection, "odd-container"));
  g_assert_false (exitbox_inspection_get_container_running (inspection, "odd-container"));
  g_assert_null (exitbox_inspection_get_container_image_id (inspection, "odd-container"));
  g_assert_null (exitbox_inspection_get_container_address (inspection, "odd-container", "n1"));
  g_assert_null (exitbox_inspection_get_container_address (inspection, "odd-container", "n2"));
  g_assert_null (exitbox_inspection_get_container_gateway (inspection, "odd-container", "n2"));
  g_assert_cmpstr (exitbox_inspection_get_container_address (inspection, "odd-container", "n3"),
                   ==, "10.3.0.5");
  g_assert_null (exitbox_inspection_get_container_subnet (inspection, "odd-container", "n3"));

  g_assert_true (exitbox_inspection_has_image (inspection, "odd-image:1"));
  g_assert_cmpstr (exitbox_inspection_get_image_label (inspection, "odd-image:1", "text"),
                   ==, "value");
  g_assert_null (exitbox_inspection_get_image_label (inspection, "odd-image:1", "number"));
  g_assert_null (exitbox_inspection_get_image_label (inspection, "odd-image:1", "list"));
  g_assert_false (exitbox_inspection_has_image (inspection, "odd-image:2"));
  g_assert_true (exitbox_inspection_has_image (inspection, "i2"));

  g_assert_true (exitbox_inspection_has_network (inspection, "odd-network"));
  g_assert_false (exitbox_inspection_get_network_internal (inspection, "odd-network"));
  g_assert_null (exitbox_inspection_get_network_subnet (inspection, "odd-network"));

  g_assert_cmpstr (exitbox_inspection_get_network_subnet (inspection, "odd-network-2"),
                   ==, "10.2.0.0/16");
  g_assert_null (exitbox_inspection_get_network_gateway (inspection, "odd-network-2"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/inspection/podman-image", test_inspection_podman_image);
  g_test_add_func ("/inspection/image-name-forms", test_inspection_image_name_forms);
  g_test_add_func ("/inspection/podman-container", test_inspection_podman_container);
  g_test_add_func ("/inspection/podman-stopped-container", test_inspection_podman_stopped_container);
  g_test_add_func ("/inspection/podman-absent-names", test_inspection_podman_absent_names);
  g_test_add_func ("/inspection/podman-networks", test_inspection_podman_networks);
  g_test_add_func ("/inspection/podman-network-without-dns", test_inspection_podman_network_without_dns);
  g_test_add_func ("/inspection/podman-duplicate-networks", test_inspection_podman_duplicate_networks);
  g_test_add_func ("/inspection/podman-empty", test_inspection_podman_empty);
  g_test_add_func ("/inspection/add-json-merges", test_inspection_add_json_merges);
  g_test_add_func ("/inspection/docker-array", test_inspection_docker_array);
  g_test_add_func ("/inspection/docker-lines", test_inspection_docker_lines);
  g_test_add_func ("/inspection/malformed-json", test_inspection_malformed_json);
  g_test_add_func ("/inspection/failed-add-keeps-data", test_inspection_failed_add_keeps_data);
  g_test_add_func ("/inspection/wrong-member-types", test_inspection_wrong_member_types);

  return g_test_run ();
}
