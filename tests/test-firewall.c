/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 *
 * The firewall against the fake engine: which engine calls a warm and a
 * cold start make, and what reaches squid.conf.
 */

#include <unistd.h>
#include <utime.h>

#include "exitbox-core.h"
#include "exitbox-test-utils.h"

#define PROXY_IMAGE_ID "5efb3097da044f868cbfd16dc878b508374bf9f09624ceb426ee7b49b3cb24d5"
#define RELOAD_CALL "podman\nexec\nexitbox-squid\nsquid\n-k\nreconfigure\n"
#define ROTATE_CALL "podman\nexec\nexitbox-squid\nsquid\n-k\nrotate\n"
#define PARSE_CALL "podman\nexec\nexitbox-squid\nsquid\n-k\nparse\n-f\n" \
                   "/etc/exitbox-proxy/squid.conf.new\n--end--\n"

typedef struct
{
  char                  *tmpdir;
  char                  *objects;
  ExitboxTestFakeEngine  fake;
  ExitboxEngine         *engine;
  ExitboxFirewall       *firewall;
} Fixture;

static void
write_object (Fixture    *fixture,
              const char *kind,
              const char *name,
              const char *json)
{
  g_autofree char *file = g_strconcat (name, ".json", NULL);
  g_autofree char *path = g_build_filename (fixture->objects, kind, file, NULL);

  exitbox_test_write_file (path, json);
}

/* A running proxy container that reads squid.conf from @proxy_dir. */
static void
add_proxy_with_config (Fixture    *fixture,
                       const char *proxy_dir)
{
  g_autofree char *container = g_strdup_printf (
    "{\"Id\": \"49347b5d9ac2\", \"Name\": \"exitbox-squid\","
    " \"Config\": {\"Labels\": {\"exitbox.proxy.config\": \"%s\","
    "                             \"exitbox.proxy.dns\": \"servers=10.89.0.1;search=\","
    "                             \"exitbox.proxy.logs\": \"%s/logs\"}},"
    " \"State\": {\"Running\": true}, \"Image\": \"" PROXY_IMAGE_ID "\","
    " \"NetworkSettings\": {\"Networks\": {"
    "  \"exitbox-egress\": {\"IPAddress\": \"10.89.0.9\", \"IPPrefixLen\": 24,"
    "                       \"Gateway\": \"10.89.0.1\"},"
    "  \"exitbox-int\": {\"IPAddress\": \"10.89.1.52\", \"IPPrefixLen\": 24,"
    "                    \"Gateway\": \"<nil>\"}}}}",
    proxy_dir, proxy_dir);

  write_object (fixture, "container", "exitbox-squid", container);
  write_object (fixture, "image", "exitbox-proxy",
                "{\"Id\": \"" PROXY_IMAGE_ID "\", \"RepoTags\": [\"localhost/exitbox-proxy:latest\"],"
                " \"Config\": {\"Labels\": {\"exitbox.version\": \"" PACKAGE_VERSION "\"}}}");
}

/* The proxy that this test's own ExitBox folders started. */
static void
add_running_proxy (Fixture *fixture)
{
  g_autofree char *proxy_dir = g_build_filename (g_getenv ("EXITBOX_CACHE_DIR"), "proxy", NULL);

  add_proxy_with_config (fixture, proxy_dir);
}

static void
add_networks (Fixture    *fixture,
              const char *internal_dns)
{
  g_autofree char *internal = g_strdup_printf (
    "{\"name\": \"exitbox-int\", \"id\": \"f00d\", \"driver\": \"bridge\","
    " \"subnets\": [{\"subnet\": \"10.89.7.0/24\", \"gateway\": \"10.89.7.1\"}],"
    " \"internal\": true, \"dns_enabled\": %s}", internal_dns);

  write_object (fixture, "network", "exitbox-egress",
                "{\"name\": \"exitbox-egress\", \"id\": \"beef\", \"driver\": \"bridge\","
                " \"subnets\": [{\"subnet\": \"10.89.0.0/24\", \"gateway\": \"10.89.0.1\"}],"
                " \"internal\": false, \"dns_enabled\": true}");
  write_object (fixture, "network", "exitbox-int", internal);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  const char * const names[] = { "podman", NULL };
  g_autoptr(ExitboxConfig) config = exitbox_config_new_default ();
  g_autoptr(ExitboxImageBuilder) images = NULL;
  g_autofree char *cache = NULL;
  g_autofree char *config_dir = NULL;
  g_autoptr(GError) error = NULL;

  exitbox_core_init ();

  fixture->tmpdir = exitbox_test_make_tmpdir ("exitbox-test-firewall-XXXXXX");
  fixture->objects = g_build_filename (fixture->tmpdir, "objects", NULL);
  for (guint i = 0; i < 3; i++)
    {
      const char *kinds[] = { "container", "image", "network" };
      g_autofree char *dir = g_build_filename (fixture->objects, kinds[i], NULL);

      g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
    }

  exitbox_test_fake_engine_set_up (&fixture->fake, fixture->tmpdir, names);
  g_setenv ("EXITBOX_FAKE_OBJECTS", fixture->objects, TRUE);
  g_setenv ("EXITBOX_FAKE_STATUS", "0", TRUE);
  g_setenv ("EXITBOX_SQUID_DNS", "10.89.0.1", TRUE);
  cache = g_build_filename (fixture->tmpdir, "cache", NULL);
  g_setenv ("EXITBOX_CACHE_DIR", cache, TRUE);
  config_dir = g_build_filename (fixture->tmpdir, "config", NULL);
  g_setenv ("EXITBOX_CONFIG_DIR", config_dir, TRUE);

  fixture->engine = exitbox_engine_detect (&error);
  g_assert_no_error (error);
  images = exitbox_image_builder_new (fixture->engine, config);
  fixture->firewall = exitbox_firewall_new (fixture->engine, images);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_clear_object (&fixture->firewall);
  g_clear_object (&fixture->engine);
  exitbox_test_fake_engine_tear_down (&fixture->fake);
  g_unsetenv ("EXITBOX_FAKE_OBJECTS");
  g_unsetenv ("EXITBOX_FAKE_STATUS");
  g_unsetenv ("EXITBOX_SQUID_DNS");
  g_unsetenv ("EXITBOX_SQUID_DNS_SEARCH");
  g_unsetenv ("EXITBOX_CACHE_DIR");
  g_unsetenv ("EXITBOX_CONFIG_DIR");

  exitbox_test_remove_tree (fixture->tmpdir);
  g_free (fixture->objects);
  g_free (fixture->tmpdir);
}

static ExitboxInspection *
inspect_launch_names (Fixture *fixture)
{
  const char *names[] = { EXITBOX_IMAGE_PROXY, EXITBOX_PROXY_CONTAINER, NULL };
  g_autoptr(GError) error = NULL;
  ExitboxInspection *inspection;

  inspection = exitbox_engine_inspect (fixture->engine, names, NULL, &error);
  g_assert_no_error (error);
  return inspection;
}

/* Runs ensure with a fresh inspection and the allowlist @allowlist_yaml, and
 * returns the engine calls that ensure alone made.
 */
static char *
ensure (Fixture     *fixture,
        const char  *allowlist_yaml,
        char       **out_address,
        GError     **error)
{
  g_autoptr(ExitboxInspection) inspection = inspect_launch_names (fixture);
  g_autoptr(ExitboxAllowlist) allowlist =
    exitbox_allowlist_load_data (allowlist_yaml, -1, "allowlist.yaml");
  GAsyncResult *result = NULL;

  g_assert_true (g_file_set_contents (fixture->fake.log_path, "", 0, NULL));

  exitbox_firewall_ensure_async (fixture->firewall, inspection, allowlist, NULL,
                                 exitbox_test_store_result, &result);
  *out_address = exitbox_firewall_ensure_finish (fixture->firewall,
                                                 exitbox_test_wait_for_result (&result),
                                                 error);
  g_object_unref (result);

  return exitbox_test_read_file (fixture->fake.log_path);
}

static char *
read_squid_conf (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("EXITBOX_CACHE_DIR"), "proxy",
                                            "squid.conf", NULL);

  return exitbox_test_read_file (path);
}

static guint
count_occurrences (const char *text,
                   const char *needle)
{
  guint count = 0;

  for (const char *p = strstr (text, needle); p != NULL; p = strstr (p + 1, needle))
    count++;

  return count;
}

static void
test_firewall_warm_reload_on_change (Fixture       *fixture,
                                     gconstpointer  user_data)
{
  const char *expected_gateways[] = { "10.89.0.1", NULL };
  g_auto(GStrv) gateways = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;
  g_autofree char *calls = NULL;
  g_autofree char *conf = NULL;

  add_running_proxy (fixture);

  calls = ensure (fixture, "custom:\n  - allowed.example.test\n", &address, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (address, ==, "10.89.1.52");
  g_assert_cmpuint (count_occurrences (calls, RELOAD_CALL), ==, 1);
  /* squid -k parse over the new file, then the reload. */
  g_assert_cmpuint (count_occurrences (calls, PARSE_CALL), ==, 1);
  g_assert_cmpuint (count_occurrences (calls, "--end--"), ==, 2);

  conf = read_squid_conf ();
  exitbox_test_assert_contains (conf, "src 10.89.1.0/24");
  exitbox_test_assert_contains (conf, ".allowed.example.test");
  exitbox_test_assert_contains (conf, "dns_nameservers 10.89.0.1");
  /* The proxy's gateway on exitbox-egress is the host. */
  exitbox_test_assert_contains (conf, "acl exitbox_host_gateway dst 10.89.0.1\n");
  gateways = exitbox_firewall_dup_host_gateways ();
  g_assert_cmpstrv (gateways, expected_gateways);
  g_clear_pointer (&calls, g_free);
  g_clear_pointer (&address, g_free);

  /* The same rules again: the running proxy is left alone. */
  calls = ensure (fixture, "custom:\n  - allowed.example.test\n", &address, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (address, ==, "10.89.1.52");
  g_assert_cmpstr (calls, ==, "");
  g_clear_pointer (&calls, g_free);
  g_clear_pointer (&address, g_free);

  calls = ensure (fixture, "custom:\n  - other.example.test\n", &address, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_occurrences (calls, RELOAD_CALL), ==, 1);
  g_clear_pointer (&conf, g_free);
  conf = read_squid_conf ();
  exitbox_test_assert_contains (conf, ".other.example.test");
  exitbox_test_assert_not_contains (conf, ".allowed.example.test");
}

static void
test_firewall_cold_start_sequence (Fixture       *fixture,
                                   gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;
  g_autofree char *calls = NULL;
  g_autofree char *conf = NULL;
  const char *expected_order[] = {
    "podman\nnetwork\ninspect\n",
    "podman\nnetwork\nrm\nexitbox-int\n--end--\n",
    "podman\nnetwork\ncreate\n--internal\n--disable-dns\nexitbox-int\n--end--\n",
    "podman\nrm\n--force\nexitbox-squid\n--end--\n",
    "podman\nrun\n--detach\n--init\n--name\nexitbox-squid\n--network\nexitbox-egress\n"
    "--dns\n10.89.0.1\n",
    "podman\nnetwork\nconnect\nexitbox-int\nexitbox-squid\n--end--\n",
    "podman\nexec\nexitbox-squid\nsquid\n-k\ncheck\n",
  };
  const char *position;

  /* The proxy is not running when ensure starts, but the fake finds it once
   * it has been "started", because its objects do not change.
   */
  add_networks (fixture, "true");
  write_object (fixture, "container", "exitbox-squid",
                "{\"Id\": \"49347b5d9ac2\", \"Name\": \"exitbox-squid\","
                " \"State\": {\"Running\": false}, \"Image\": \"" PROXY_IMAGE_ID "\","
                " \"NetworkSettings\": {\"Networks\": {"
                "  \"exitbox-int\": {\"IPAddress\": \"10.89.7.2\", \"IPPrefixLen\": 24}}}}");

  calls = ensure (fixture, "custom:\n  - allowed.example.test\n", &address, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (address, ==, "10.89.7.2");

  position = calls;
  for (guint i = 0; i < G_N_ELEMENTS (expected_order); i++)
    {
      g_test_message ("expecting call: %s", expected_order[i]);
      position = strstr (position, expected_order[i]);
      g_assert_nonnull (position);
    }

  /* The egress network exists and is kept. */
  exitbox_test_assert_not_contains (calls, "create\nexitbox-egress\n");

  conf = read_squid_conf ();
  exitbox_test_assert_contains (conf, "src 10.89.7.0/24");
}

static void
test_firewall_dns_search_restarts_proxy (Fixture       *fixture,
                                         gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;
  g_autofree char *calls = NULL;
  g_autofree char *conf = NULL;

  /* The running proxy was started without search domains, and its
   * resolv.conf cannot change, so new search domains replace it.
   */
  add_running_proxy (fixture);
  add_networks (fixture, "false");
  g_setenv ("EXITBOX_SQUID_DNS_SEARCH", "corp.example, Lab.Example.", TRUE);

  calls = ensure (fixture, "custom:\n  - allowed.example.test\n", &address, &error);
  g_assert_no_error (error);
  exitbox_test_assert_contains (calls, "podman\nrm\n--force\nexitbox-squid\n--end--\n");
  exitbox_test_assert_contains (calls, "\n--dns\n10.89.0.1\n");
  exitbox_test_assert_contains (calls, "\n--dns-search\ncorp.example\n--dns-search\nlab.example\n");
  exitbox_test_assert_contains (calls,
                                "\n--label\nexitbox.proxy.dns=servers=10.89.0.1;"
                                "search=corp.example,lab.example\n");

  conf = read_squid_conf ();
  exitbox_test_assert_contains (conf, "\ndns_defnames on\n");
  exitbox_test_assert_not_contains (conf, "\ndns_nameservers");
}

static void
test_firewall_dns_search_default_dot (Fixture       *fixture,
                                      gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;
  g_autofree char *calls = NULL;
  g_autofree char *conf = NULL;

  /* A proxy of other ExitBox folders, so that this launch starts its own. */
  add_proxy_with_config (fixture, "/elsewhere/exitbox/proxy");
  add_networks (fixture, "false");

  calls = ensure (fixture, "custom:\n  - allowed.example.test\n", &address, &error);
  g_assert_no_error (error);
  exitbox_test_assert_contains (calls, "\n--dns-search\n.\n");

  conf = read_squid_conf ();
  exitbox_test_assert_contains (conf, "\ndns_defnames off\n");
  exitbox_test_assert_contains (conf, "\ndns_nameservers 10.89.0.1\n");
}

static void
test_firewall_dns_search_invalid (Fixture       *fixture,
                                  gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;
  g_autofree char *calls = NULL;

  add_running_proxy (fixture);
  g_setenv ("EXITBOX_SQUID_DNS_SEARCH", "corp.example bad_domain", TRUE);

  calls = ensure (fixture, "custom:\n  - allowed.example.test\n", &address, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  exitbox_test_assert_contains (error->message, "EXITBOX_SQUID_DNS_SEARCH");
  exitbox_test_assert_contains (error->message, "“bad_domain”");
  g_assert_null (address);
  g_assert_cmpstr (calls, ==, "");
}

/* Runs ensure while a proxy of other ExitBox folders runs, which is
 * replaced, with @saved_address saved as this folder's previous proxy
 * address, and returns the engine calls.
 */
static char *
restart_with_saved_address (Fixture    *fixture,
                            const char *saved_address)
{
  g_autofree char *proxy_dir = g_build_filename (g_getenv ("EXITBOX_CACHE_DIR"), "proxy", NULL);
  g_autofree char *path = g_build_filename (proxy_dir, "proxy-address", NULL);
  g_autofree char *text = g_strdup_printf ("%s\n", saved_address);
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;
  char *calls;

  g_assert_cmpint (g_mkdir_with_parents (proxy_dir, 0700), ==, 0);
  exitbox_test_write_file (path, text);
  add_proxy_with_config (fixture, "/elsewhere/exitbox/proxy");
  add_networks (fixture, "false");

  calls = ensure (fixture, "custom:\n  - allowed.example.test\n", &address, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (address, ==, "10.89.1.52");

  return calls;
}

static void
test_firewall_restart_keeps_proxy_address (Fixture       *fixture,
                                           gconstpointer  user_data)
{
  g_autofree char *calls = NULL;
  g_autofree char *saved = NULL;
  g_autofree char *path = g_build_filename (g_getenv ("EXITBOX_CACHE_DIR"), "proxy",
                                            "proxy-address", NULL);

  /* Running sessions have the previous address in their proxy variables. */
  calls = restart_with_saved_address (fixture, "10.89.7.20");
  exitbox_test_assert_contains (calls,
                                "podman\nnetwork\nconnect\n--ip\n10.89.7.20\nexitbox-int\n"
                                "exitbox-squid\n--end--\n");

  /* The address the proxy has now is saved for the next restart. */
  saved = exitbox_test_read_file (path);
  g_assert_cmpstr (saved, ==, "10.89.1.52\n");
}

static void
test_firewall_restart_ignores_foreign_address (Fixture       *fixture,
                                               gconstpointer  user_data)
{
  g_autofree char *calls = NULL;

  /* An address outside the internal subnet, which was recreated since. */
  calls = restart_with_saved_address (fixture, "10.99.0.20");
  exitbox_test_assert_not_contains (calls, "--ip\n");
  exitbox_test_assert_contains (calls, "podman\nnetwork\nconnect\nexitbox-int\nexitbox-squid\n--end--\n");
}

static void
test_firewall_replaces_foreign_proxy (Fixture       *fixture,
                                      gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;
  g_autofree char *calls = NULL;
  g_autofree char *proxy_dir = g_build_filename (g_getenv ("EXITBOX_CACHE_DIR"), "proxy", NULL);
  g_autofree char *label_call = g_strdup_printf ("\n--label\nexitbox.proxy.config=%s\n", proxy_dir);

  /* A running proxy that reads squid.conf from another ExitBox folder
   * would never see this run's rules, so it is replaced, not reloaded.
   */
  add_proxy_with_config (fixture, "/elsewhere/exitbox/proxy");
  add_networks (fixture, "false");

  calls = ensure (fixture, "custom:\n  - allowed.example.test\n", &address, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (address, ==, "10.89.1.52");

  exitbox_test_assert_not_contains (calls, RELOAD_CALL);
  exitbox_test_assert_contains (calls, "podman\nrm\n--force\nexitbox-squid\n--end--\n");
  exitbox_test_assert_contains (calls, "podman\nrun\n--detach\n");
  exitbox_test_assert_contains (calls, label_call);
  /* The internal network has no DNS server, so it is kept. */
  exitbox_test_assert_not_contains (calls, "network\nrm\n");
}

static void
test_firewall_rejects_external_network (Fixture       *fixture,
                                        gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;
  g_autofree char *calls = NULL;

  write_object (fixture, "network", "exitbox-egress",
                "{\"name\": \"exitbox-egress\", \"subnets\": [{\"subnet\": \"10.89.0.0/24\","
                " \"gateway\": \"10.89.0.1\"}], \"internal\": false}");
  write_object (fixture, "network", "exitbox-int",
                "{\"name\": \"exitbox-int\", \"subnets\": [{\"subnet\": \"10.89.1.0/24\","
                " \"gateway\": \"10.89.1.1\"}], \"internal\": false}");

  calls = ensure (fixture, "custom:\n  - allowed.example.test\n", &address, &error);

  g_assert_null (address);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  exitbox_test_assert_contains (error->message, "exitbox-int");
  exitbox_test_assert_contains (error->message, "network rm exitbox-int");
  exitbox_test_assert_not_contains (calls, "\nrun\n");
}

static void
test_firewall_empty_allowlist_blocks (Fixture       *fixture,
                                      gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;
  g_autofree char *calls = NULL;
  g_autofree char *conf = NULL;

  add_running_proxy (fixture);

  calls = ensure (fixture, "custom: []\n", &address, &error);
  g_assert_no_error (error);

  conf = read_squid_conf ();
  exitbox_test_assert_not_contains (conf, "http_access allow");
  exitbox_test_assert_contains (conf, "http_access deny all");
}

/* Runs ensure for a new session and returns the engine calls it made. */
static char *
ensure_session (Fixture     *fixture,
                const char  *allowlist_yaml,
                const char  *session_name,
                const char  *entry_text,
                char       **out_session_address,
                GError     **error)
{
  g_autoptr(ExitboxInspection) inspection = inspect_launch_names (fixture);
  g_autoptr(ExitboxAllowlist) allowlist =
    exitbox_allowlist_load_data (allowlist_yaml, -1, "allowlist.yaml");
  g_autoptr(GPtrArray) entries =
    g_ptr_array_new_with_free_func ((GDestroyNotify) exitbox_allowlist_entry_free);
  g_autofree char *proxy_address = NULL;
  GAsyncResult *result = NULL;

  if (entry_text != NULL)
    {
      g_autoptr(GError) parse_error = NULL;

      g_ptr_array_add (entries, exitbox_allowlist_entry_parse (entry_text, &parse_error));
      g_assert_no_error (parse_error);
    }

  g_assert_true (g_file_set_contents (fixture->fake.log_path, "", 0, NULL));

  exitbox_firewall_ensure_session_async (fixture->firewall, inspection, allowlist, session_name,
                                         entries, NULL, exitbox_test_store_result, &result);
  proxy_address = exitbox_firewall_ensure_session_finish (fixture->firewall,
                                                          exitbox_test_wait_for_result (&result),
                                                          out_session_address, error);
  g_object_unref (result);

  return exitbox_test_read_file (fixture->fake.log_path);
}

static char *
end_session (Fixture     *fixture,
             const char  *session_name,
             GError     **error)
{
  GAsyncResult *result = NULL;

  g_assert_true (g_file_set_contents (fixture->fake.log_path, "", 0, NULL));

  exitbox_firewall_end_session_async (fixture->firewall, session_name, NULL,
                                      exitbox_test_store_result, &result);
  exitbox_firewall_end_session_finish (fixture->firewall, exitbox_test_wait_for_result (&result),
                                       error);
  g_object_unref (result);

  return exitbox_test_read_file (fixture->fake.log_path);
}

static GPtrArray *
load_sessions (void)
{
  g_autofree char *dir = exitbox_proxy_dup_sessions_dir ();

  return exitbox_proxy_session_load_all (dir);
}

static void
test_firewall_session_rules (Fixture       *fixture,
                             gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *first_address = NULL;
  g_autofree char *second_address = NULL;
  g_autofree char *calls = NULL;
  g_autofree char *conf = NULL;
  g_autoptr(GPtrArray) sessions = NULL;
  g_autofree char *allowlist_path = g_build_filename (g_getenv ("EXITBOX_CONFIG_DIR"),
                                                      "allowlist.yaml", NULL);

  add_running_proxy (fixture);
  exitbox_test_write_file (allowlist_path, "custom:\n  - allowed.example.test\n");

  calls = ensure_session (fixture, "custom:\n  - allowed.example.test\n",
                          "exitbox-shell-a-00000001", "session.example.test", &first_address,
                          &error);
  g_assert_no_error (error);
  /* The top of the proxy's /24; the proxy itself has 10.89.1.52. */
  g_assert_cmpstr (first_address, ==, "10.89.1.254");
  g_assert_cmpuint (count_occurrences (calls, PARSE_CALL), ==, 1);
  g_assert_cmpuint (count_occurrences (calls, RELOAD_CALL), ==, 1);

  conf = read_squid_conf ();
  exitbox_test_assert_contains (conf, "acl exitbox_session_1_source src 10.89.1.254\n");
  exitbox_test_assert_contains (conf, "acl exitbox_session_1_domains dstdomain -n .session.example.test\n");
  g_clear_pointer (&calls, g_free);
  g_clear_pointer (&conf, g_free);

  /* The first session's process (this one) still runs, so its record and
   * address stay while the second starts, even though no container of
   * that name exists.
   */
  calls = ensure_session (fixture, "custom:\n  - allowed.example.test\n",
                          "exitbox-shell-b-00000002", NULL, &second_address, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (second_address, ==, "10.89.1.253");
  sessions = load_sessions ();
  g_assert_cmpuint (sessions->len, ==, 2);
  /* The second session adds no rule, so squid.conf is unchanged. */
  exitbox_test_assert_not_contains (calls, RELOAD_CALL);
  g_clear_pointer (&calls, g_free);
  g_clear_pointer (&sessions, g_ptr_array_unref);

  calls = end_session (fixture, "exitbox-shell-a-00000001", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_occurrences (calls, RELOAD_CALL), ==, 1);
  conf = read_squid_conf ();
  exitbox_test_assert_not_contains (conf, "session.example.test");
  exitbox_test_assert_contains (conf, ".allowed.example.test");
  sessions = load_sessions ();
  g_assert_cmpuint (sessions->len, ==, 1);
  g_assert_cmpstr (((ExitboxProxySession *) g_ptr_array_index (sessions, 0))->name, ==,
                   "exitbox-shell-b-00000002");
}

static void
test_firewall_drops_ended_sessions (Fixture       *fixture,
                                    gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;
  g_autofree char *calls = NULL;
  g_autofree char *conf = NULL;
  g_autofree char *sessions_dir = exitbox_proxy_dup_sessions_dir ();
  g_autoptr(GPtrArray) entries =
    g_ptr_array_new_with_free_func ((GDestroyNotify) exitbox_allowlist_entry_free);
  g_autoptr(ExitboxProxySession) ended = NULL;
  g_autoptr(ExitboxProxySession) running = NULL;
  g_autoptr(GPtrArray) sessions = NULL;

  add_running_proxy (fixture);
  g_ptr_array_add (entries, exitbox_allowlist_entry_parse ("stale.example.test", &error));
  g_assert_no_error (error);

  /* No container and no process: the session ended without cleaning up. */
  ended = exitbox_proxy_session_new ("exitbox-shell-gone-00000003", "10.89.1.254", entries);
  ended->owner_pid = 0;
  g_assert_true (exitbox_proxy_session_save (ended, sessions_dir, &error));
  g_assert_no_error (error);

  /* Its container runs, although the process that started it is gone. */
  running = exitbox_proxy_session_new ("exitbox-shell-alive-00000004", "10.89.1.253", NULL);
  g_assert_true (exitbox_proxy_session_save (running, sessions_dir, &error));
  g_assert_no_error (error);
  write_object (fixture, "container", "exitbox-shell-alive-00000004",
                "{\"Id\": \"a11ce\", \"Name\": \"exitbox-shell-alive-00000004\","
                " \"State\": {\"Running\": true}}");

  calls = ensure_session (fixture, "custom:\n  - allowed.example.test\n",
                          "exitbox-shell-new-00000005", NULL, &address, &error);
  g_assert_no_error (error);

  /* The ended session's address is free again; the running one's is not. */
  g_assert_cmpstr (address, ==, "10.89.1.254");
  conf = read_squid_conf ();
  exitbox_test_assert_not_contains (conf, "stale.example.test");

  sessions = load_sessions ();
  g_assert_cmpuint (sessions->len, ==, 2);
  g_assert_cmpstr (((ExitboxProxySession *) g_ptr_array_index (sessions, 0))->name, ==,
                   "exitbox-shell-alive-00000004");
  g_assert_cmpstr (((ExitboxProxySession *) g_ptr_array_index (sessions, 1))->name, ==,
                   "exitbox-shell-new-00000005");
}

/* The history records when each session held its address, closes the entry
 * of a session that ended without cleaning up, and drops entries that name
 * no line of the access log.
 */
static void
test_firewall_session_history (Fixture       *fixture,
                               gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;
  g_autofree char *calls = NULL;
  g_autofree char *sessions_dir = exitbox_proxy_dup_sessions_dir ();
  g_autofree char *history_path = exitbox_proxy_dup_history_path ();
  g_autofree char *log_path = g_build_filename (g_getenv ("EXITBOX_CACHE_DIR"), "proxy", "logs",
                                                "access.log", NULL);
  g_autofree char *history_text = NULL;
  g_autofree char *log_text = NULL;
  g_autoptr(ExitboxProxySession) ended = NULL;
  g_autoptr(ExitboxProxySession) running = NULL;
  g_autoptr(GPtrArray) history = NULL;
  ExitboxProxyHistoryEntry *entry;
  gint64 now = g_get_real_time ();
  gint64 before = now;

  add_running_proxy (fixture);

  ended = exitbox_proxy_session_new ("exitbox-shell-gone-00000003", "10.89.1.254", NULL);
  ended->owner_pid = 0;
  g_assert_true (exitbox_proxy_session_save (ended, sessions_dir, &error));
  g_assert_no_error (error);

  /* A running session without an entry, as one that an ExitBox without
   * the history started.
   */
  running = exitbox_proxy_session_new ("exitbox-shell-alive-00000004", "10.89.1.253", NULL);
  g_assert_true (exitbox_proxy_session_save (running, sessions_dir, &error));
  g_assert_no_error (error);
  write_object (fixture, "container", "exitbox-shell-alive-00000004",
                "{\"Id\": \"a11ce\", \"Name\": \"exitbox-shell-alive-00000004\","
                " \"State\": {\"Running\": true}}");

  /* One entry ended decades ago, one before the log's first line (30 s
   * ago), and the ended session's entry is still open.
   */
  history_text = g_strdup_printf ("1000000 2000000 10.89.1.250 exitbox-shell-ancient-00000001\n"
                                  "%" G_GINT64_FORMAT " %" G_GINT64_FORMAT
                                  " 10.89.1.249 exitbox-shell-before-log-00000002\n"
                                  "%" G_GINT64_FORMAT " 0 10.89.1.254 exitbox-shell-gone-00000003\n",
                                  now - 50 * G_USEC_PER_SEC, now - 40 * G_USEC_PER_SEC,
                                  now - 100 * G_USEC_PER_SEC);
  exitbox_test_write_file (history_path, history_text);
  log_text = g_strdup_printf ("%" G_GINT64_FORMAT ".000 10.89.1.254 TCP_DENIED/403 GET a.test 80\n",
                              now / G_USEC_PER_SEC - 30);
  exitbox_test_write_file (log_path, log_text);

  calls = ensure_session (fixture, "custom:\n  - allowed.example.test\n",
                          "exitbox-shell-new-00000005", NULL, &address, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (address, ==, "10.89.1.254");

  /* Sorted by start: the ended session, then the two that run. */
  history = exitbox_proxy_history_load (history_path);
  g_assert_cmpuint (history->len, ==, 3);
  entry = g_ptr_array_index (history, 0);
  g_assert_cmpstr (entry->name, ==, "exitbox-shell-gone-00000003");
  g_assert_cmpint (entry->end, >=, before);
  for (guint i = 1; i < 3; i++)
    {
      entry = g_ptr_array_index (history, i);
      g_assert_cmpint (entry->start, >=, ((ExitboxProxyHistoryEntry *) g_ptr_array_index (history, 0))->end);
      g_assert_cmpint (entry->end, ==, 0);
    }
  g_assert_cmpstr (exitbox_proxy_history_find (history, "10.89.1.253", g_get_real_time ()), ==,
                   "exitbox-shell-alive-00000004");
  g_assert_cmpstr (exitbox_proxy_history_find (history, "10.89.1.254", g_get_real_time ()), ==,
                   "exitbox-shell-new-00000005");
  g_clear_pointer (&history, g_ptr_array_unref);
  g_clear_pointer (&calls, g_free);

  calls = end_session (fixture, "exitbox-shell-new-00000005", &error);
  g_assert_no_error (error);

  history = exitbox_proxy_history_load (history_path);
  g_assert_cmpuint (history->len, ==, 3);
  for (guint i = 1; i < 3; i++)
    {
      entry = g_ptr_array_index (history, i);
      if (g_str_equal (entry->name, "exitbox-shell-new-00000005"))
        g_assert_cmpint (entry->end, >=, entry->start);
      else
        g_assert_cmpint (entry->end, ==, 0);
    }
}

static void
test_firewall_rejected_config_kept (Fixture       *fixture,
                                    gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;
  g_autofree char *calls = NULL;
  g_autofree char *conf = NULL;
  g_autofree char *rejected = NULL;
  g_autofree char *rejected_path = g_build_filename (g_getenv ("EXITBOX_CACHE_DIR"), "proxy",
                                                     "squid.conf.rejected", NULL);

  add_running_proxy (fixture);

  calls = ensure (fixture, "custom:\n  - allowed.example.test\n", &address, &error);
  g_assert_no_error (error);
  g_clear_pointer (&calls, g_free);
  g_clear_pointer (&address, g_free);

  /* squid -k parse fails the way squid 5.7 does on a bad line. */
  g_setenv ("EXITBOX_FAKE_STATUS", "1", TRUE);
  g_setenv ("EXITBOX_FAKE_STDERR",
            "2026/12/04 22:49:17| Processing: acl x dst notanaddress\n"
            "2026/12/04 22:49:17| FATAL: Bungled squid.conf.new line 3: acl x dst notanaddress\n",
            TRUE);
  calls = ensure (fixture, "custom:\n  - other.example.test\n", &address, &error);
  g_unsetenv ("EXITBOX_FAKE_STDERR");
  g_setenv ("EXITBOX_FAKE_STATUS", "0", TRUE);

  g_assert_null (address);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  exitbox_test_assert_contains (error->message, "FATAL: Bungled squid.conf.new line 3");
  exitbox_test_assert_contains (error->message, rejected_path);
  exitbox_test_assert_contains (calls, PARSE_CALL);
  exitbox_test_assert_not_contains (calls, RELOAD_CALL);

  /* The last accepted text stays; the rejected one is kept to read. */
  conf = read_squid_conf ();
  exitbox_test_assert_contains (conf, ".allowed.example.test");
  exitbox_test_assert_not_contains (conf, ".other.example.test");
  rejected = exitbox_test_read_file (rejected_path);
  exitbox_test_assert_contains (rejected, ".other.example.test");
}

static void
test_firewall_unknown_directive_rejected (Fixture       *fixture,
                                          gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;
  g_autofree char *calls = NULL;

  add_running_proxy (fixture);

  /* Squid 5.7 exits with 0 after an unknown directive. */
  g_setenv ("EXITBOX_FAKE_STDERR",
            "2026/12/04 22:49:17| squid.conf.new(2): unrecognized: 'foo_directive'\n", TRUE);
  calls = ensure (fixture, "custom:\n  - allowed.example.test\n", &address, &error);
  g_unsetenv ("EXITBOX_FAKE_STDERR");

  g_assert_null (address);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  exitbox_test_assert_contains (error->message, "unrecognized: 'foo_directive'");
  exitbox_test_assert_not_contains (calls, RELOAD_CALL);
}

#define STOP_CALL "podman\nstop\n--time\n1\nexitbox-squid\n--end--\n"

static void
age_idle_stamp (gint64 seconds)
{
  g_autofree char *path = g_build_filename (g_getenv ("EXITBOX_CACHE_DIR"), "proxy", "idle-since",
                                            NULL);
  struct utimbuf times;

  exitbox_test_write_file (path, "0\n");
  times.actime = times.modtime = (time_t) (g_get_real_time () / G_USEC_PER_SEC - seconds);
  g_assert_cmpint (utime (path, &times), ==, 0);
}

/* Runs stop_if_idle and returns the engine calls it made. */
static char *
stop_if_idle (Fixture  *fixture,
              guint     idle_minutes,
              gboolean *out_stopped)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (fixture->fake.log_path, "", 0, NULL));
  g_assert_true (exitbox_firewall_stop_if_idle (fixture->firewall, idle_minutes, out_stopped,
                                                NULL, &error));
  g_assert_no_error (error);

  return exitbox_test_read_file (fixture->fake.log_path);
}

static void
test_firewall_stop_if_idle (Fixture       *fixture,
                            gconstpointer  user_data)
{
  g_autofree char *calls = NULL;
  g_autofree char *sessions_dir = exitbox_proxy_dup_sessions_dir ();
  g_autoptr(ExitboxProxySession) session = NULL;
  g_autoptr(GError) error = NULL;
  gboolean stopped = TRUE;
  int hold_fd;

  add_running_proxy (fixture);

  /* No session has ended yet: nothing to do, and no engine call. */
  g_assert_cmpint (exitbox_firewall_get_idle_since (), ==, -1);
  calls = stop_if_idle (fixture, 10, &stopped);
  g_assert_false (stopped);
  g_assert_cmpstr (calls, ==, "");
  g_clear_pointer (&calls, g_free);

  /* The last session ended 5 minutes ago, so 10 idle minutes have not passed. */
  age_idle_stamp (300);
  g_assert_cmpint (exitbox_firewall_get_idle_since (), >, 0);
  calls = stop_if_idle (fixture, 10, &stopped);
  g_assert_false (stopped);
  g_assert_cmpstr (calls, ==, "");
  g_clear_pointer (&calls, g_free);

  /* A running desktop app keeps the proxy up. */
  age_idle_stamp (700);
  hold_fd = exitbox_firewall_hold_proxy (&error);
  g_assert_no_error (error);
  g_assert_cmpint (hold_fd, >=, 0);
  calls = stop_if_idle (fixture, 10, &stopped);
  g_assert_false (stopped);
  exitbox_test_assert_not_contains (calls, STOP_CALL);
  g_clear_pointer (&calls, g_free);
  close (hold_fd);

  /* So does a session that is starting (this process runs). */
  session = exitbox_proxy_session_new ("exitbox-shell-new-00000006", "10.89.1.254", NULL);
  session->owner_pid = getpid ();
  g_assert_true (exitbox_proxy_session_save (session, sessions_dir, &error));
  g_assert_no_error (error);
  calls = stop_if_idle (fixture, 10, &stopped);
  g_assert_false (stopped);
  exitbox_test_assert_not_contains (calls, STOP_CALL);
  g_clear_pointer (&calls, g_free);
  g_assert_true (exitbox_proxy_session_remove (sessions_dir, session->name, &error));

  calls = stop_if_idle (fixture, 10, &stopped);
  g_assert_true (stopped);
  g_assert_cmpuint (count_occurrences (calls, STOP_CALL), ==, 1);
}

static void
test_firewall_idle_leaves_foreign_proxy (Fixture       *fixture,
                                         gconstpointer  user_data)
{
  g_autofree char *calls = NULL;
  gboolean stopped = TRUE;

  /* A proxy of other ExitBox folders is not this run's to stop. */
  add_proxy_with_config (fixture, "/elsewhere/exitbox/proxy");
  age_idle_stamp (700);

  calls = stop_if_idle (fixture, 0, &stopped);
  g_assert_false (stopped);
  exitbox_test_assert_not_contains (calls, STOP_CALL);
}

static void
test_firewall_end_marks_idle (Fixture       *fixture,
                              gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;
  g_autofree char *calls = NULL;

  add_running_proxy (fixture);

  calls = ensure_session (fixture, "custom:\n  - allowed.example.test\n",
                          "exitbox-shell-a-00000001", NULL, &address, &error);
  g_assert_no_error (error);
  g_assert_cmpint (exitbox_firewall_get_idle_since (), ==, -1);
  g_clear_pointer (&calls, g_free);

  calls = end_session (fixture, "exitbox-shell-a-00000001", &error);
  g_assert_no_error (error);
  g_assert_cmpint (exitbox_firewall_get_idle_since (), >,
                   g_get_real_time () / G_USEC_PER_SEC - 60);
}

static void
test_firewall_rotates_large_log (Fixture       *fixture,
                                 gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;
  g_autofree char *calls = NULL;
  g_autofree char *log_path = g_build_filename (g_getenv ("EXITBOX_CACHE_DIR"), "proxy", "logs",
                                                "access.log", NULL);

  add_running_proxy (fixture);

  calls = ensure (fixture, "custom:\n  - allowed.example.test\n", &address, &error);
  g_assert_no_error (error);
  exitbox_test_assert_not_contains (calls, ROTATE_CALL);
  g_clear_pointer (&calls, g_free);
  g_clear_pointer (&address, g_free);

  /* A sparse 17 MiB log, over the limit of 16 MiB. */
  exitbox_test_write_file (log_path, "");
  g_assert_cmpint (truncate (log_path, 17 * 1024 * 1024), ==, 0);
  calls = ensure (fixture, "custom:\n  - allowed.example.test\n", &address, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_occurrences (calls, ROTATE_CALL), ==, 1);
}

static void
test_firewall_cold_start_avoids_proxy_address (Fixture       *fixture,
                                               gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;
  g_autofree char *calls = NULL;
  const char *start;
  const char *reload;

  /* The engine gives the starting proxy the top address of the subnet,
   * which the session would otherwise get.
   */
  add_networks (fixture, "false");
  write_object (fixture, "container", "exitbox-squid",
                "{\"Id\": \"49347b5d9ac2\", \"Name\": \"exitbox-squid\","
                " \"State\": {\"Running\": false}, \"Image\": \"" PROXY_IMAGE_ID "\","
                " \"NetworkSettings\": {\"Networks\": {"
                "  \"exitbox-int\": {\"IPAddress\": \"10.89.7.254\", \"IPPrefixLen\": 24}}}}");

  calls = ensure_session (fixture, "custom:\n  - allowed.example.test\n",
                          "exitbox-shell-a-00000001", "session.example.test", &address, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (address, ==, "10.89.7.253");

  /* The session's rules are loaded into the started proxy. */
  start = strstr (calls, "podman\nrun\n--detach\n");
  g_assert_nonnull (start);
  reload = strstr (start, RELOAD_CALL);
  g_assert_nonnull (reload);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/firewall/warm-reload-on-change", Fixture, NULL,
              fixture_set_up, test_firewall_warm_reload_on_change, fixture_tear_down);
  g_test_add ("/firewall/cold-start-sequence", Fixture, NULL,
              fixture_set_up, test_firewall_cold_start_sequence, fixture_tear_down);
  g_test_add ("/firewall/dns-search-restarts-proxy", Fixture, NULL,
              fixture_set_up, test_firewall_dns_search_restarts_proxy, fixture_tear_down);
  g_test_add ("/firewall/dns-search-default-dot", Fixture, NULL,
              fixture_set_up, test_firewall_dns_search_default_dot, fixture_tear_down);
  g_test_add ("/firewall/dns-search-invalid", Fixture, NULL,
              fixture_set_up, test_firewall_dns_search_invalid, fixture_tear_down);
  g_test_add ("/firewall/restart-keeps-proxy-address", Fixture, NULL,
              fixture_set_up, test_firewall_restart_keeps_proxy_address, fixture_tear_down);
  g_test_add ("/firewall/restart-ignores-foreign-address", Fixture, NULL,
              fixture_set_up, test_firewall_restart_ignores_foreign_address, fixture_tear_down);
  g_test_add ("/firewall/replaces-foreign-proxy", Fixture, NULL,
              fixture_set_up, test_firewall_replaces_foreign_proxy, fixture_tear_down);
  g_test_add ("/firewall/rejects-external-network", Fixture, NULL,
              fixture_set_up, test_firewall_rejects_external_network, fixture_tear_down);
  g_test_add ("/firewall/empty-allowlist-blocks", Fixture, NULL,
              fixture_set_up, test_firewall_empty_allowlist_blocks, fixture_tear_down);

  g_test_add ("/firewall/session-rules", Fixture, NULL,
              fixture_set_up, test_firewall_session_rules, fixture_tear_down);
  g_test_add ("/firewall/drops-ended-sessions", Fixture, NULL,
              fixture_set_up, test_firewall_drops_ended_sessions, fixture_tear_down);
  g_test_add ("/firewall/session-history", Fixture, NULL,
              fixture_set_up, test_firewall_session_history, fixture_tear_down);
  g_test_add ("/firewall/rejected-config-kept", Fixture, NULL,
              fixture_set_up, test_firewall_rejected_config_kept, fixture_tear_down);
  g_test_add ("/firewall/unknown-directive-rejected", Fixture, NULL,
              fixture_set_up, test_firewall_unknown_directive_rejected, fixture_tear_down);

  g_test_add ("/firewall/stop-if-idle", Fixture, NULL,
              fixture_set_up, test_firewall_stop_if_idle, fixture_tear_down);
  g_test_add ("/firewall/idle-leaves-foreign-proxy", Fixture, NULL,
              fixture_set_up, test_firewall_idle_leaves_foreign_proxy, fixture_tear_down);
  g_test_add ("/firewall/end-marks-idle", Fixture, NULL,
              fixture_set_up, test_firewall_end_marks_idle, fixture_tear_down);

  g_test_add ("/firewall/rotates-large-log", Fixture, NULL,
              fixture_set_up, test_firewall_rotates_large_log, fixture_tear_down);

  g_test_add ("/firewall/cold-start-avoids-proxy-address", Fixture, NULL,
              fixture_set_up, test_firewall_cold_start_avoids_proxy_address, fixture_tear_down);

  return g_test_run ();
}
