/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utime.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "exitbox-core.h"
#include "exitbox-yaml.h"
#include "exitbox-test-utils.h"

/* A temporary XDG_CONFIG_HOME for one test, removed again at the end. */
typedef struct
{
  char *xdg_config_home;
  char *config_dir;
  char *config_path;
  char *allowlist_path;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  fixture->xdg_config_home = exitbox_test_make_tmpdir ("exitbox-test-config-XXXXXX");

  g_setenv ("XDG_CONFIG_HOME", fixture->xdg_config_home, TRUE);
  g_unsetenv ("EXITBOX_BASE_IMAGE");

  fixture->config_dir = exitbox_dup_config_dir ();
  fixture->config_path = g_build_filename (fixture->config_dir, "config.yaml", NULL);
  fixture->allowlist_path = g_build_filename (fixture->config_dir, "allowlist.yaml", NULL);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  exitbox_test_remove_tree (fixture->xdg_config_home);
  g_unsetenv ("XDG_CONFIG_HOME");
  g_unsetenv ("EXITBOX_BASE_IMAGE");

  g_free (fixture->xdg_config_home);
  g_free (fixture->config_dir);
  g_free (fixture->config_path);
  g_free (fixture->allowlist_path);
}

static guint
list_length (const char * const *list)
{
  return g_strv_length ((char **) list);
}

static guint
file_mode (const char *path)
{
  GStatBuf buffer;

  g_assert_cmpint (g_stat (path, &buffer), ==, 0);
  return buffer.st_mode & 07777;
}

static void
test_config_defaults_first_run (Fixture       *fixture,
                                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) resource = NULL;
  g_autoptr(ExitboxConfig) config = NULL;
  g_autoptr(ExitboxAllowlist) allowlist = NULL;
  g_autofree char *written = NULL;
  gboolean created = FALSE;

  g_assert_false (g_file_test (fixture->config_dir, G_FILE_TEST_EXISTS));

  g_assert_true (exitbox_config_ensure_defaults (fixture->config_dir, &created, &error));
  g_assert_no_error (error);
  g_assert_true (created);

  g_assert_cmpuint (file_mode (fixture->config_dir), ==, 0700);
  g_assert_cmpuint (file_mode (fixture->config_path), ==, 0600);
  g_assert_cmpuint (file_mode (fixture->allowlist_path), ==, 0600);

  resource = g_resources_lookup_data ("/io/github/exitbox/ExitBox/core/config.yaml",
                                      G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  g_assert_no_error (error);
  written = exitbox_test_read_file (fixture->config_path);
  g_assert_cmpstr (written, ==, g_bytes_get_data (resource, NULL));

  config = exitbox_config_load_file (fixture->config_path, &error);
  g_assert_no_error (error);
  g_assert_true (exitbox_config_get_agent_enabled (config, "claude"));
  g_assert_false (exitbox_config_get_agent_enabled (config, "codex"));
  g_assert_false (exitbox_config_get_agent_enabled (config, "opencode"));

  allowlist = exitbox_allowlist_load_file (fixture->allowlist_path);
  g_assert_cmpint (exitbox_allowlist_get_status (allowlist), ==, EXITBOX_ALLOWLIST_STATUS_OK);
  g_assert_cmpuint (g_strv_length ((char **) exitbox_allowlist_get_warnings (allowlist)), ==, 0);

  /* A second call finds the files and writes nothing. */
  g_assert_true (exitbox_config_ensure_defaults (fixture->config_dir, &created, &error));
  g_assert_no_error (error);
  g_assert_false (created);
}

static void
test_config_defaults_config_exists (Fixture       *fixture,
                                    gconstpointer  user_data)
{
  const char *contents = "# mine\nversion: 1\n";
  g_autoptr(GError) error = NULL;
  g_autofree char *after = NULL;
  gboolean created = TRUE;

  exitbox_test_write_file (fixture->config_path, contents);

  g_assert_true (exitbox_config_ensure_defaults (fixture->config_dir, &created, &error));
  g_assert_no_error (error);
  g_assert_false (created);

  /* The allowlist stays missing, so the firewall blocks everything. */
  g_assert_false (g_file_test (fixture->allowlist_path, G_FILE_TEST_EXISTS));

  after = exitbox_test_read_file (fixture->config_path);
  g_assert_cmpstr (after, ==, contents);
}

static void
test_config_defaults_allowlist_exists (Fixture       *fixture,
                                       gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *after = NULL;
  gboolean created = FALSE;

  g_assert_cmpint (g_mkdir_with_parents (fixture->config_dir, 0700), ==, 0);
  g_file_set_contents (fixture->allowlist_path, "custom: [example.com]\n", -1, &error);
  g_assert_no_error (error);

  g_assert_true (exitbox_config_ensure_defaults (fixture->config_dir, &created, &error));
  g_assert_no_error (error);

  /* The default settings are written, and the allowlist stays as it is. */
  g_assert_true (created);
  g_assert_true (g_file_test (fixture->config_path, G_FILE_TEST_IS_REGULAR));
  after = exitbox_test_read_file (fixture->allowlist_path);
  g_assert_cmpstr (after, ==, "custom: [example.com]\n");
}

static void
test_config_defaults_dangling_symlink (Fixture       *fixture,
                                       gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  gboolean created = TRUE;

  g_assert_cmpint (g_mkdir_with_parents (fixture->config_dir, 0700), ==, 0);
  g_assert_cmpint (symlink ("/nonexistent/exitbox-config.yaml", fixture->config_path), ==, 0);

  g_assert_true (exitbox_config_ensure_defaults (fixture->config_dir, &created, &error));
  g_assert_no_error (error);
  g_assert_false (created);
  g_assert_true (g_file_test (fixture->config_path, G_FILE_TEST_IS_SYMLINK));
  g_assert_false (g_file_test (fixture->allowlist_path, G_FILE_TEST_EXISTS));
}

/* The built-in defaults, used for every missing key, match the first-run file. */
static void
test_config_defaults_match_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) resource = NULL;
  g_autoptr(ExitboxConfig) from_file = NULL;
  g_autoptr(ExitboxConfig) built_in = exitbox_config_new_default ();
  const ExitboxAgentInfo *agents;
  guint n_agents;
  gsize size;
  const char *data;

  resource = g_resources_lookup_data ("/io/github/exitbox/ExitBox/core/config.yaml",
                                      G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (resource, &size);

  from_file = exitbox_config_load_data (data, (gssize) size, "config.yaml", &error);
  g_assert_no_error (error);

  g_assert_cmpint (exitbox_config_get_version (from_file), ==, 1);
  g_assert_cmpint (exitbox_config_get_version (built_in), ==, 1);

  agents = exitbox_agent_get_all (&n_agents);
  g_assert_cmpuint (n_agents, >, 0);
  for (guint i = 0; i < n_agents; i++)
    g_assert_cmpint (exitbox_config_get_agent_enabled (from_file, agents[i].id), ==,
                     exitbox_config_get_agent_enabled (built_in, agents[i].id));

  g_assert_true (exitbox_config_get_agent_enabled (built_in, "claude"));
  g_assert_cmpint (exitbox_config_get_base_family (from_file), ==, EXITBOX_BASE_FAMILY_DEBIAN);
  g_assert_cmpint (exitbox_config_get_base_family (built_in), ==, EXITBOX_BASE_FAMILY_DEBIAN);
  g_assert_null (exitbox_config_get_base_image (from_file));
  g_assert_null (exitbox_config_get_base_image (built_in));
  g_assert_cmpstr (exitbox_config_get_memory (from_file), ==, "8g");
  g_assert_cmpstr (exitbox_config_get_memory (built_in), ==, "8g");
  g_assert_cmpstr (exitbox_config_get_cpus (from_file), ==, "4");
  g_assert_cmpstr (exitbox_config_get_cpus (built_in), ==, "4");

  for (guint i = 0; i < n_agents; i++)
    {
      g_assert_null (exitbox_config_get_agent_version (from_file, agents[i].id));
      g_assert_null (exitbox_config_get_agent_version (built_in, agents[i].id));
    }

  g_assert_cmpuint (list_length (exitbox_config_get_roles (from_file)), ==, 0);
  g_assert_cmpuint (list_length (exitbox_config_get_roles (built_in)), ==, 0);
  g_assert_cmpuint (list_length (exitbox_config_get_tool_categories (from_file)), ==, 0);
  g_assert_cmpuint (list_length (exitbox_config_get_tool_categories (built_in)), ==, 0);
  g_assert_cmpuint (list_length (exitbox_config_get_user_tools (from_file)), ==, 0);
  g_assert_cmpuint (list_length (exitbox_config_get_user_tools (built_in)), ==, 0);
  g_assert_cmpstr (exitbox_config_get_profiles (from_file)[0], ==, "base");
  g_assert_cmpuint (list_length (exitbox_config_get_profiles (from_file)), ==, 1);
  g_assert_cmpstr (exitbox_config_get_profiles (built_in)[0], ==, "base");
  g_assert_cmpuint (list_length (exitbox_config_get_profiles (built_in)), ==, 1);
  g_assert_cmpuint (list_length (exitbox_config_get_env_passthrough (from_file)), ==, 0);
  g_assert_cmpuint (list_length (exitbox_config_get_env_passthrough (built_in)), ==, 0);
  g_assert_cmpuint (list_length (exitbox_config_get_notices (from_file)), ==, 0);
  g_assert_cmpuint (list_length (exitbox_config_get_notices (built_in)), ==, 0);

  g_assert_false (exitbox_config_get_auto_update (from_file));
  g_assert_false (exitbox_config_get_auto_update (built_in));
  g_assert_true (exitbox_config_get_status_bar (from_file));
  g_assert_true (exitbox_config_get_status_bar (built_in));
  g_assert_false (exitbox_config_get_no_firewall (from_file));
  g_assert_false (exitbox_config_get_no_firewall (built_in));
  g_assert_false (exitbox_config_get_read_only (from_file));
  g_assert_false (exitbox_config_get_read_only (built_in));
  g_assert_false (exitbox_config_get_no_env (from_file));
  g_assert_false (exitbox_config_get_no_env (built_in));
  g_assert_cmpint (exitbox_config_get_runtime (from_file), ==, EXITBOX_CONFIG_RUNTIME_AUTO);
  g_assert_cmpint (exitbox_config_get_runtime (built_in), ==, EXITBOX_CONFIG_RUNTIME_AUTO);
  g_assert_cmpuint (exitbox_config_get_proxy_idle_minutes (from_file), ==, 10);
  g_assert_cmpuint (exitbox_config_get_proxy_idle_minutes (built_in), ==, 10);
}

static void
test_config_values_read (void)
{
  const char *data =
    "version: 1\n"
    "agents:\n"
    "  claude:\n"
    "    enabled: no\n"
    "  codex:\n"
    "    enabled: yes\n"
    "  opencode: {enabled: On}\n"
    "settings:\n"
    "  base: alpine\n"
    "  base_image: registry.example.com:5000/mirror/alpine:3.21\n"
    "  default_flags:\n"
    "    memory: 512M\n"
    "    cpus: 1.5\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(ExitboxConfig) config = NULL;

  config = exitbox_config_load_data (data, -1, "config.yaml", &error);
  g_assert_no_error (error);

  g_assert_false (exitbox_config_get_agent_enabled (config, "claude"));
  g_assert_true (exitbox_config_get_agent_enabled (config, "codex"));
  g_assert_true (exitbox_config_get_agent_enabled (config, "opencode"));
  g_assert_false (exitbox_config_get_agent_enabled (config, "no-such-agent"));
  g_assert_cmpint (exitbox_config_get_base_family (config), ==, EXITBOX_BASE_FAMILY_ALPINE);
  g_assert_cmpstr (exitbox_config_get_base_image (config), ==,
                   "registry.example.com:5000/mirror/alpine:3.21");
  g_assert_cmpstr (exitbox_config_get_memory (config), ==, "512M");
  g_assert_cmpstr (exitbox_config_get_cpus (config), ==, "1.5");
}

static void
test_config_booleans (void)
{
  const struct
  {
    const char *text;
    gboolean    expected;
  } cases[] = {
    { "true", TRUE }, { "True", TRUE }, { "TRUE", TRUE }, { "yes", TRUE }, { "YES", TRUE },
    { "on", TRUE }, { "\"true\"", TRUE }, { "false", FALSE }, { "False", FALSE },
    { "no", FALSE }, { "No", FALSE }, { "off", FALSE }, { "OFF", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *data = g_strdup_printf ("agents:\n  codex:\n    enabled: %s\n",
                                               cases[i].text);
      g_autoptr(GError) error = NULL;
      g_autoptr(ExitboxConfig) config = NULL;

      config = exitbox_config_load_data (data, -1, "config.yaml", &error);
      g_assert_no_error (error);
      g_assert_cmpint (exitbox_config_get_agent_enabled (config, "codex"), ==, cases[i].expected);
    }
}

static void
test_config_missing_keys (void)
{
  const char *cases[] = {
    "",
    "# only a comment\n",
    "version: 1\n",
    "agents:\n",
    "agents:\n  codex:\n",
    "agents:\n  claude: {}\n",
    "settings:\n  default_flags:\n",
    "settings:\n  base: ~\n  base_image: \"\"\n  default_flags: {memory: null}\n",
    "roles:\ntool_categories: ~\nprofiles: null\ntools:\n",
    "tools:\n  user: ~\n",
    "agents:\n  claude: {version: ~}\n  codex: {version: ''}\n",
    "settings:\n  auto_update:\n  status_bar: ~\n  runtime:\n  env_passthrough: ~\n"
    "  proxy_idle_minutes: null\n"
    "  default_flags: {no_firewall: ~, read_only: null, no_env: }\n",
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ExitboxConfig) config = NULL;

      g_test_message ("case: %s", cases[i]);
      config = exitbox_config_load_data (cases[i], -1, "config.yaml", &error);
      g_assert_no_error (error);
      g_assert_cmpint (exitbox_config_get_version (config), ==, 1);
      g_assert_true (exitbox_config_get_agent_enabled (config, "claude"));
      g_assert_false (exitbox_config_get_agent_enabled (config, "codex"));
      g_assert_cmpint (exitbox_config_get_base_family (config), ==, EXITBOX_BASE_FAMILY_DEBIAN);
      g_assert_null (exitbox_config_get_base_image (config));
      g_assert_cmpstr (exitbox_config_get_memory (config), ==, "8g");
      g_assert_cmpstr (exitbox_config_get_cpus (config), ==, "4");
      g_assert_null (exitbox_config_get_agent_version (config, "claude"));
      g_assert_null (exitbox_config_get_agent_version (config, "codex"));
      g_assert_cmpuint (list_length (exitbox_config_get_roles (config)), ==, 0);
      g_assert_cmpuint (list_length (exitbox_config_get_tool_categories (config)), ==, 0);
      g_assert_cmpuint (list_length (exitbox_config_get_user_tools (config)), ==, 0);
      g_assert_cmpuint (list_length (exitbox_config_get_profiles (config)), ==, 1);
      g_assert_cmpuint (list_length (exitbox_config_get_env_passthrough (config)), ==, 0);
      g_assert_cmpuint (list_length (exitbox_config_get_notices (config)), ==, 0);
      g_assert_false (exitbox_config_get_auto_update (config));
      g_assert_true (exitbox_config_get_status_bar (config));
      g_assert_false (exitbox_config_get_no_firewall (config));
      g_assert_false (exitbox_config_get_read_only (config));
      g_assert_false (exitbox_config_get_no_env (config));
      g_assert_cmpint (exitbox_config_get_runtime (config), ==, EXITBOX_CONFIG_RUNTIME_AUTO);
      g_assert_cmpuint (exitbox_config_get_proxy_idle_minutes (config), ==, 10);
    }
}

/* Keys of the original product's config.yaml that this build does not
 * read, and unknown keys, load without an error and change nothing.
 */
static void
test_config_unknown_keys (void)
{
  const char *data =
    "version: 1\n"
    "workspaces:\n"
    "  active: default\n"
    "  items:\n"
    "    - name: default\n"
    "      development: [go, python]\n"
    "      vault: {enabled: false}\n"
    "agents:\n"
    "  claude: {enabled: true, model: opus}\n"
    "  qwen: {enabled: maybe, version: '!bad'}\n"
    "tools:\n"
    "  binaries: [{name: x, url: 'https://example.com/{arch}'}]\n"
    "settings:\n"
    "  default_workspace: default\n"
    "  rtk: false\n"
    "  default_flags:\n"
    "    auto_resume: true\n"
    "    full_git_support: true\n"
    "  keybindings: {workspace_menu: C-M-p, session_menu: C-M-s}\n"
    "something_new: [1, 2, {a: b}]\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(ExitboxConfig) config = NULL;

  config = exitbox_config_load_data (data, -1, "config.yaml", &error);
  g_assert_no_error (error);
  g_assert_true (exitbox_config_get_agent_enabled (config, "claude"));
  g_assert_false (exitbox_config_get_agent_enabled (config, "qwen"));
  g_assert_null (exitbox_config_get_agent_version (config, "qwen"));
  g_assert_cmpstr (exitbox_config_get_memory (config), ==, "8g");
  g_assert_cmpuint (list_length (exitbox_config_get_user_tools (config)), ==, 0);
  g_assert_cmpuint (list_length (exitbox_config_get_notices (config)), ==, 0);
}

typedef struct
{
  const char *data;
  const char *key_path;
  const char *value;      /* the value as the message quotes it, or NULL */
  const char *location;   /* "FILE:LINE:COLUMN" */
  const char *accepted;   /* a part of the accepted values */
} InvalidCase;

static void
test_config_invalid_values (void)
{
  const InvalidCase cases[] = {
    { "settings:\n  base: ubuntu\n", "settings.base", "ubuntu", "c.yaml:2:9", "debian or alpine" },
    { "agents:\n  claude:\n    enabled: maybe\n", "agents.claude.enabled", "maybe",
      "c.yaml:3:14", "true or false" },
    { "agents:\n  codex:\n    enabled: 1\n", "agents.codex.enabled", "1", "c.yaml:3:14",
      "true or false" },
    { "agents:\n  claude:\n    enabled: [yes]\n", "agents.claude.enabled", NULL, "c.yaml:3:14",
      "true or false" },
    { "settings:\n  default_flags:\n    memory: lots\n", "settings.default_flags.memory", "lots",
      "c.yaml:3:13", "8g" },
    { "settings:\n  default_flags:\n    memory: 8gb\n", "settings.default_flags.memory", "8gb",
      "c.yaml:3:13", "8g" },
    { "settings:\n  default_flags:\n    memory: 0g\n", "settings.default_flags.memory", "0g",
      "c.yaml:3:13", "8g" },
    { "settings:\n  default_flags:\n    memory: -1\n", "settings.default_flags.memory", "-1",
      "c.yaml:3:13", "8g" },
    { "settings:\n  default_flags:\n    cpus: 0\n", "settings.default_flags.cpus", "0",
      "c.yaml:3:11", "1.5" },
    { "settings:\n  default_flags:\n    cpus: two\n", "settings.default_flags.cpus", "two",
      "c.yaml:3:11", "1.5" },
    { "settings:\n  default_flags:\n    cpus: 1.\n", "settings.default_flags.cpus", "1.",
      "c.yaml:3:11", "1.5" },
    { "settings:\n  default_flags:\n    cpus: -2\n", "settings.default_flags.cpus", "-2",
      "c.yaml:3:11", "1.5" },
    { "settings:\n  base_image: \"--privileged\"\n", "settings.base_image", "--privileged",
      "c.yaml:2:15", "debian:bookworm-slim" },
    { "settings:\n  base_image: \"debian\\nRUN true\"\n", "settings.base_image", NULL,
      "c.yaml:2:15", "debian:bookworm-slim" },
    { "version: one\n", "version", "one", "c.yaml:1:10", "1" },
    { "version: 0\n", "version", "0", "c.yaml:1:10", "1" },
    { "agents: [claude]\n", "agents", NULL, "c.yaml:1:9", "claude" },
    { "agents:\n  claude: true\n", "agents.claude", NULL, "c.yaml:2:11", "enabled" },
    { "settings: debian\n", "settings", NULL, "c.yaml:1:11", "base" },
    { "settings:\n  default_flags: 8g\n", "settings.default_flags", NULL, "c.yaml:2:18",
      "memory" },
    { "- version: 1\n", "mapping", NULL, "c.yaml:1:1", "version" },
    { "roles: [Backend, Kubernetes]\n", "roles", "Kubernetes", "c.yaml:1:18", "data-science" },
    { "roles: Backend\n", "roles", "Backend", "c.yaml:1:8", "frontend" },
    { "roles:\n  - {id: backend}\n", "roles", NULL, "c.yaml:2:5", "security" },
    { "roles: [back end]\n", "roles", "back end", "c.yaml:1:9", "backend" },
    { "tool_categories: Build Tools\n", "tool_categories", "Build Tools", "c.yaml:1:18",
      "database" },
    { "tool_categories: ['']\n", "tool_categories", "", "c.yaml:1:19", "database" },
    { "tool_categories: [[Web]]\n", "tool_categories", NULL, "c.yaml:1:19", "database" },
    { "tool_categories: [bogus]\n", "tool_categories", "bogus", "c.yaml:1:19", "build-tools" },
    { "tool_categories: [Kubernetes]\n", "tool_categories", "Kubernetes", "c.yaml:1:19",
      "build-tools" },
    { "agents:\n  claude:\n    version: -rf\n", "agents.claude.version", "-rf", "c.yaml:3:14",
      "1.0.17" },
    { "agents:\n  codex:\n    version: 1.0 beta\n", "agents.codex.version", "1.0 beta",
      "c.yaml:3:14", "1.0.17" },
    { "agents:\n  codex:\n    version: [1]\n", "agents.codex.version", NULL, "c.yaml:3:14",
      "1.0.17" },
    { "agents:\n  opencode: {version: 'v1;rm'}\n", "agents.opencode.version", "v1;rm",
      "c.yaml:2:23", "1.0.17" },
    { "tools:\n  user: [Node]\n", "tools.user", "Node", "c.yaml:2:10", "ripgrep" },
    { "tools:\n  user: [-rf]\n", "tools.user", "-rf", "c.yaml:2:10", "ripgrep" },
    { "tools:\n  user: [jq, 'rip grep']\n", "tools.user", "rip grep", "c.yaml:2:14", "ripgrep" },
    { "tools:\n  user: ripgrep\n", "tools.user", "ripgrep", "c.yaml:2:9", "ripgrep" },
    { "tools:\n  user: [{name: jq}]\n", "tools.user", NULL, "c.yaml:2:10", "ripgrep" },
    { "tools: [ripgrep]\n", "tools", NULL, "c.yaml:1:8", "user" },
    { "profiles: [pyhton]\n", "profiles", "pyhton", "c.yaml:1:12", "build-tools" },
    { "profiles: [buildtools]\n", "profiles", "buildtools", "c.yaml:1:12", "build-tools" },
    { "profiles: [-x]\n", "profiles", "-x", "c.yaml:1:12", "build-tools" },
    { "profiles: python\n", "profiles", "python", "c.yaml:1:11", "build-tools" },
    { "settings:\n  auto_update: sometimes\n", "settings.auto_update", "sometimes",
      "c.yaml:2:16", "true or false" },
    { "settings:\n  status_bar: 2\n", "settings.status_bar", "2", "c.yaml:2:15",
      "true or false" },
    { "settings:\n  default_flags:\n    no_firewall: maybe\n",
      "settings.default_flags.no_firewall", "maybe", "c.yaml:3:18", "true or false" },
    { "settings:\n  default_flags:\n    read_only: [true]\n",
      "settings.default_flags.read_only", NULL, "c.yaml:3:16", "true or false" },
    { "settings:\n  default_flags:\n    no_env: nope\n",
      "settings.default_flags.no_env", "nope", "c.yaml:3:13", "true or false" },
    { "settings:\n  runtime: containerd\n", "settings.runtime", "containerd", "c.yaml:2:12",
      "auto, podman or docker" },
    { "settings:\n  runtime: ''\n", "settings.runtime", "", "c.yaml:2:12",
      "auto, podman or docker" },
    { "settings:\n  runtime: {engine: podman}\n", "settings.runtime", NULL, "c.yaml:2:12",
      "auto, podman or docker" },
    { "settings:\n  env_passthrough: [1PASSWORD]\n", "settings.env_passthrough", "1PASSWORD",
      "c.yaml:2:21", "GITHUB_TOKEN" },
    { "settings:\n  env_passthrough: [MY-VAR]\n", "settings.env_passthrough", "MY-VAR",
      "c.yaml:2:21", "GITHUB_TOKEN" },
    { "settings:\n  env_passthrough: ['A=B']\n", "settings.env_passthrough", "A=B",
      "c.yaml:2:21", "GITHUB_TOKEN" },
    { "settings:\n  env_passthrough: HOME\n", "settings.env_passthrough", "HOME",
      "c.yaml:2:20", "GITHUB_TOKEN" },
    { "settings:\n  proxy_idle_minutes: -1\n", "settings.proxy_idle_minutes", "-1",
      "c.yaml:2:23", "such as 10" },
    { "settings:\n  proxy_idle_minutes: 1.5\n", "settings.proxy_idle_minutes", "1.5",
      "c.yaml:2:23", "such as 10" },
    { "settings:\n  proxy_idle_minutes: ten\n", "settings.proxy_idle_minutes", "ten",
      "c.yaml:2:23", "such as 10" },
    { "settings:\n  proxy_idle_minutes: '+5'\n", "settings.proxy_idle_minutes", "+5",
      "c.yaml:2:23", "such as 10" },
    { "settings:\n  proxy_idle_minutes: 71582789\n", "settings.proxy_idle_minutes",
      "71582789", "c.yaml:2:23", "71582788" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ExitboxConfig) config = NULL;

      g_test_message ("case: %s", cases[i].data);
      config = exitbox_config_load_data (cases[i].data, -1, "c.yaml", &error);
      g_assert_null (config);
      g_assert_error (error, EXITBOX_CONFIG_ERROR, EXITBOX_CONFIG_ERROR_INVALID_VALUE);
      g_test_message ("message: %s", error->message);

      g_assert_true (g_str_has_prefix (error->message, cases[i].location));
      g_assert_nonnull (strstr (error->message, cases[i].key_path));
      g_assert_nonnull (strstr (error->message, cases[i].accepted));
      if (cases[i].value != NULL)
        {
          g_autofree char *quoted = g_strdup_printf ("“%s”", cases[i].value);

          g_assert_nonnull (strstr (error->message, quoted));
        }
    }
}

static void
test_config_parse_error (Fixture       *fixture,
                         gconstpointer  user_data)
{
  const char *contents =
    "version: 1\n"
    "agents:\n"
    "  claude:\n"
    "    enabled: true\n"
    "   codex: [\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(ExitboxConfig) config = NULL;
  g_autofree char *prefix = NULL;
  g_autofree char *after = NULL;
  gboolean created = TRUE;

  exitbox_test_write_file (fixture->config_path, contents);

  config = exitbox_config_load_file (fixture->config_path, &error);
  g_assert_null (config);
  g_assert_error (error, EXITBOX_CONFIG_ERROR, EXITBOX_CONFIG_ERROR_PARSE);
  g_test_message ("message: %s", error->message);

  prefix = g_strdup_printf ("%s:5:", fixture->config_path);
  g_assert_true (g_str_has_prefix (error->message, prefix));
  g_assert_nonnull (strstr (error->message, "Fix the YAML syntax"));

  /* Neither loading nor the first-run check touch the file. */
  g_assert_true (exitbox_config_ensure_defaults (fixture->config_dir, &created, NULL));
  g_assert_false (created);

  after = exitbox_test_read_file (fixture->config_path);
  g_assert_cmpstr (after, ==, contents);
  g_assert_false (g_file_test (fixture->allowlist_path, G_FILE_TEST_EXISTS));
}

/* Each case gives the exact line and column that libyaml reports. */
static void
test_config_parse_error_positions (void)
{
  const struct
  {
    const char *data;
    const char *location;
  } cases[] = {
    { "version: 1\nagents: [claude\n", "c.yaml:3:1:" },
    { "version: 1\n  settings: x\n", "c.yaml:2:11:" },
    { "a: \"unterminated\n", "c.yaml:2:1:" },
    { "version: 1\nversion: 2\n", "c.yaml:2:1:" },
    { "version: 1\n---\nversion: 2\n", "c.yaml:2:1:" },
    { "version: \xff\n", "c.yaml:1:10:" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ExitboxConfig) config = NULL;

      config = exitbox_config_load_data (cases[i].data, -1, "c.yaml", &error);
      g_assert_null (config);
      g_assert_error (error, EXITBOX_CONFIG_ERROR, EXITBOX_CONFIG_ERROR_PARSE);
      g_test_message ("message: %s", error->message);
      g_assert_true (g_str_has_prefix (error->message, cases[i].location));
    }
}

static void
test_config_missing_file (Fixture       *fixture,
                          gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ExitboxConfig) config = NULL;

  config = exitbox_config_load_file (fixture->config_path, &error);
  g_assert_null (config);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_false (g_file_test (fixture->config_dir, G_FILE_TEST_EXISTS));
}

static void
test_config_effective_base_image (Fixture       *fixture,
                                  gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ExitboxConfig) debian = exitbox_config_new_default ();
  g_autoptr(ExitboxConfig) alpine = NULL;
  g_autoptr(ExitboxConfig) custom = NULL;
  g_autofree char *image = NULL;

  alpine = exitbox_config_load_data ("settings: {base: alpine}\n", -1, "c.yaml", &error);
  g_assert_no_error (error);
  custom = exitbox_config_load_data ("settings: {base_image: 'mirror.example.com/debian:12'}\n",
                                     -1, "c.yaml", &error);
  g_assert_no_error (error);

  image = exitbox_config_dup_effective_base_image (debian);
  g_assert_cmpstr (image, ==, "debian:bookworm-slim");
  g_clear_pointer (&image, g_free);

  image = exitbox_config_dup_effective_base_image (alpine);
  g_assert_cmpstr (image, ==, "alpine:3.21");
  g_clear_pointer (&image, g_free);

  image = exitbox_config_dup_effective_base_image (custom);
  g_assert_cmpstr (image, ==, "mirror.example.com/debian:12");
  g_clear_pointer (&image, g_free);

  /* An empty variable counts as unset. */
  g_setenv ("EXITBOX_BASE_IMAGE", "", TRUE);
  image = exitbox_config_dup_effective_base_image (custom);
  g_assert_cmpstr (image, ==, "mirror.example.com/debian:12");
  g_clear_pointer (&image, g_free);

  g_setenv ("EXITBOX_BASE_IMAGE", "localhost/base:test", TRUE);
  image = exitbox_config_dup_effective_base_image (custom);
  g_assert_cmpstr (image, ==, "localhost/base:test");
  g_clear_pointer (&image, g_free);

  image = exitbox_config_dup_effective_base_image (alpine);
  g_assert_cmpstr (image, ==, "localhost/base:test");
  g_clear_pointer (&image, g_free);

  /* An invalid value is reported and ignored. */
  g_setenv ("EXITBOX_BASE_IMAGE", "bad image", TRUE);
  g_test_expect_message ("exitbox-core", G_LOG_LEVEL_WARNING, "*EXITBOX_BASE_IMAGE*bad image*");
  image = exitbox_config_dup_effective_base_image (custom);
  g_test_assert_expected_messages ();
  g_assert_cmpstr (image, ==, "mirror.example.com/debian:12");
}

static void
test_config_image_reference (void)
{
  const char *valid[] = {
    "debian:bookworm-slim",
    "alpine:3.21",
    "debian",
    "library/debian:12",
    "docker.io/library/debian:bookworm-slim",
    "registry.example.com:5000/team/base:1.0",
    "localhost/exitbox-base",
    "localhost:5000/a/b/c",
    "registry.example.com/a__b/c-d/e.f:tag_1.2-x",
    "debian@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
  };
  const char *invalid[] = {
    "",
    "-debian",
    "--privileged",
    "Debian",
    "debian:",
    "debian:bookworm slim",
    "debian\nRUN true",
    "debian:bookworm-slim\n",
    "debian:-tag",
    "a//b",
    "/debian",
    "debian/",
    "debian@sha256:short",
  };

  for (guint i = 0; i < G_N_ELEMENTS (valid); i++)
    {
      g_autoptr(GError) error = NULL;

      g_test_message ("valid: %s", valid[i]);
      g_assert_true (exitbox_image_reference_validate (valid[i], &error));
      g_assert_no_error (error);
    }

  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autoptr(GError) error = NULL;

      g_test_message ("invalid: %s", invalid[i]);
      g_assert_false (exitbox_image_reference_validate (invalid[i], &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    }
}

/* Editing agents.AGENT.enabled in a file. */

/* The file as the user wrote it: comments, blank lines, an unknown key,
 * quoted values and no codex section.
 */
static const char *user_config =
  "# My settings.\n"
  "version: 1\n"
  "\n"
  "agents:\n"
  "  claude:\n"
  "    enabled: yes   # the main one\n"
  "  retired_agent:\n"
  "    enabled: true\n"
  "\n"
  "settings:\n"
  "  base: 'debian'\n"
  "  default_flags:\n"
  "    memory: \"8g\"\n";

/* Sets the modification time of @path an hour back, so a rewrite that
 * keeps the same bytes still shows up as a changed time.
 */
static gint64
set_old_mtime (const char *path)
{
  GStatBuf buffer;
  struct utimbuf times;

  g_assert_cmpint (g_stat (path, &buffer), ==, 0);
  times.actime = buffer.st_mtime - 3600;
  times.modtime = buffer.st_mtime - 3600;
  g_assert_cmpint (g_utime (path, &times), ==, 0);

  return (gint64) times.modtime;
}

static gint64
file_mtime (const char *path)
{
  GStatBuf buffer;

  g_assert_cmpint (g_stat (path, &buffer), ==, 0);
  return (gint64) buffer.st_mtime;
}

/* The value of @key in @config as text, so one table can check keys of
 * every type: lists joined with ",", booleans as true/false.
 */
static char *
dup_config_value (ExitboxConfig *config,
                  const char    *key)
{
  const struct
  {
    const char           *key;
    const char * const *(*get) (ExitboxConfig *config);
  } lists[] = {
    { "roles", exitbox_config_get_roles },
    { "tool_categories", exitbox_config_get_tool_categories },
    { "tools.user", exitbox_config_get_user_tools },
    { "profiles", exitbox_config_get_profiles },
    { "settings.env_passthrough", exitbox_config_get_env_passthrough },
  };
  const struct
  {
    const char *key;
    gboolean  (*get) (ExitboxConfig *config);
  } booleans[] = {
    { "settings.auto_update", exitbox_config_get_auto_update },
    { "settings.status_bar", exitbox_config_get_status_bar },
    { "settings.default_flags.no_firewall", exitbox_config_get_no_firewall },
    { "settings.default_flags.read_only", exitbox_config_get_read_only },
    { "settings.default_flags.no_env", exitbox_config_get_no_env },
  };

  for (guint i = 0; i < G_N_ELEMENTS (lists); i++)
    {
      if (g_str_equal (key, lists[i].key))
        return g_strjoinv (",", (char **) lists[i].get (config));
    }

  for (guint i = 0; i < G_N_ELEMENTS (booleans); i++)
    {
      if (g_str_equal (key, booleans[i].key))
        return g_strdup (booleans[i].get (config) ? "true" : "false");
    }

  if (g_str_equal (key, "settings.runtime"))
    return g_strdup (exitbox_config_runtime_to_string (exitbox_config_get_runtime (config)));

  if (g_str_equal (key, "settings.proxy_idle_minutes"))
    return g_strdup_printf ("%u", exitbox_config_get_proxy_idle_minutes (config));

  if (g_str_has_prefix (key, "agents.") && g_str_has_suffix (key, ".version"))
    {
      g_autofree char *agent_id = g_strndup (key + strlen ("agents."),
                                             strlen (key) - strlen ("agents.") -
                                             strlen (".version"));

      return g_strdup (exitbox_config_get_agent_version (config, agent_id));
    }

  g_assert_not_reached ();
}

static void
test_config_valid_values (void)
{
  const struct
  {
    const char *data;
    const char *key;
    const char *expected;  /* as dup_config_value() writes it */
  } cases[] = {
    { "roles: [Backend, DevOps, frontend]\n", "roles", "backend,devops,frontend" },
    { "roles: [FULLSTACK, Data Science, data_science, Mobile, embedded, Security]\n", "roles",
      "fullstack,data-science,data-science,mobile,embedded,security" },
    { "roles:\n  - data-science\n", "roles", "data-science" },
    { "roles: []\n", "roles", "" },
    { "tool_categories: [Build Tools, 'Database', web, shell_utilities]\n", "tool_categories",
      "build-tools,database,web,shell" },
    { "agents:\n  claude:\n    version: 1.0.17\n", "agents.claude.version", "1.0.17" },
    { "agents:\n  codex: {version: 0.1.2-beta+build.5}\n", "agents.codex.version",
      "0.1.2-beta+build.5" },
    { "agents:\n  opencode:\n    version: latest\n", "agents.opencode.version", "latest" },
    { "agents:\n  claude:\n    version: 2\n", "agents.claude.version", "2" },
    { "tools:\n  user: [ripgrep, jq, g++, py3-pip, libc6-dev, lib_x.y, 7zip]\n", "tools.user",
      "ripgrep,jq,g++,py3-pip,libc6-dev,lib_x.y,7zip" },
    { "tools:\n  user: []\n", "tools.user", "" },
    { "profiles: [python, Build-Tools, c]\n", "profiles", "python,build-tools,c" },
    { "settings: {auto_update: yes}\n", "settings.auto_update", "true" },
    { "settings: {auto_update: false}\n", "settings.auto_update", "false" },
    { "settings: {status_bar: off}\n", "settings.status_bar", "false" },
    { "settings: {status_bar: True}\n", "settings.status_bar", "true" },
    { "settings: {default_flags: {no_firewall: true}}\n", "settings.default_flags.no_firewall",
      "true" },
    { "settings: {default_flags: {read_only: on}}\n", "settings.default_flags.read_only",
      "true" },
    { "settings: {default_flags: {no_env: YES}}\n", "settings.default_flags.no_env", "true" },
    { "settings: {runtime: podman}\n", "settings.runtime", "podman" },
    { "settings: {runtime: Docker}\n", "settings.runtime", "docker" },
    { "settings: {runtime: auto}\n", "settings.runtime", "auto" },
    { "settings: {env_passthrough: [GITHUB_TOKEN, _private, http_proxy2]}\n",
      "settings.env_passthrough", "GITHUB_TOKEN,_private,http_proxy2" },
    { "settings: {proxy_idle_minutes: 0}\n", "settings.proxy_idle_minutes", "0" },
    { "settings: {proxy_idle_minutes: 45}\n", "settings.proxy_idle_minutes", "45" },
    { "settings: {proxy_idle_minutes: 71582788}\n", "settings.proxy_idle_minutes", "71582788" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ExitboxConfig) config = NULL;
      g_autofree char *value = NULL;

      g_test_message ("case: %s", cases[i].data);
      config = exitbox_config_load_data (cases[i].data, -1, "c.yaml", &error);
      g_assert_no_error (error);

      value = dup_config_value (config, cases[i].key);
      g_assert_cmpstr (value, ==, cases[i].expected);
      g_assert_cmpuint (list_length (exitbox_config_get_notices (config)), ==, 0);
    }
}

/* Deprecated package names are renamed or removed and duplicates go, each
 * with a notice.
 */
static void
test_config_user_tools_migration (void)
{
  const struct
  {
    const char *user;
    const char *expected;
    const char *notices[4];  /* a part of each notice, in order */
  } cases[] = {
    { "[node]", "nodejs", { "tools.user: “node” is now “nodejs”" } },
    { "[terraform, docker]", "opentofu,docker-cli",
      { "tools.user: “terraform” is now “opentofu”",
        "tools.user: “docker” is now “docker-cli”" } },
    { "[ansible, jq]", "jq", { "tools.user: “ansible” is no longer installed" } },
    { "[node, nodejs]", "nodejs",
      { "“node” is now “nodejs”", "tools.user: “nodejs” is listed more than once" } },
    { "[jq, ripgrep, jq]", "jq,ripgrep", { "tools.user: “jq” is listed more than once" } },
    { "[docker-cli, docker, ansible, ansible]", "docker-cli",
      { "“docker” is now “docker-cli”", "“docker-cli” is listed more than once",
        "“ansible” is no longer installed", "“ansible” is no longer installed" } },
    { "[nodejs, opentofu, docker-cli]", "nodejs,opentofu,docker-cli", { NULL } },
    { "[terraform-ls, nodeenv]", "terraform-ls,nodeenv", { NULL } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *data = g_strdup_printf ("tools:\n  user: %s\n", cases[i].user);
      g_autoptr(GError) error = NULL;
      g_autoptr(ExitboxConfig) config = NULL;
      g_autofree char *tools = NULL;
      const char * const *notices;
      guint n_expected = 0;

      g_test_message ("case: %s", cases[i].user);
      config = exitbox_config_load_data (data, -1, "c.yaml", &error);
      g_assert_no_error (error);

      tools = g_strjoinv (",", (char **) exitbox_config_get_user_tools (config));
      g_assert_cmpstr (tools, ==, cases[i].expected);

      while (n_expected < G_N_ELEMENTS (cases[i].notices) && cases[i].notices[n_expected] != NULL)
        n_expected++;

      notices = exitbox_config_get_notices (config);
      g_assert_cmpuint (list_length (notices), ==, n_expected);
      for (guint j = 0; j < n_expected; j++)
        {
          g_test_message ("notice: %s", notices[j]);
          g_assert_nonnull (strstr (notices[j], cases[i].notices[j]));
        }
    }
}

/* Loading a file whose tools.user needs migrating leaves the file as it is. */
static void
test_config_user_tools_not_written (Fixture       *fixture,
                                    gconstpointer  user_data)
{
  const char *contents = "tools:\n  user: [node, terraform, ansible, node]\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(ExitboxConfig) config = NULL;
  g_autofree char *after = NULL;
  gint64 mtime;

  exitbox_test_write_file (fixture->config_path, contents);
  mtime = set_old_mtime (fixture->config_path);

  config = exitbox_config_load_file (fixture->config_path, &error);
  g_assert_no_error (error);
  /* node → nodejs twice (the second is also a duplicate), terraform →
   * opentofu, and ansible removed.
   */
  g_assert_cmpuint (list_length (exitbox_config_get_notices (config)), ==, 5);

  after = exitbox_test_read_file (fixture->config_path);
  g_assert_cmpstr (after, ==, contents);
  g_assert_cmpint (file_mtime (fixture->config_path), ==, mtime);
}

/* The original product's `profiles: {active, items}` loads with a notice. */
static void
test_config_profiles_legacy (void)
{
  const char *data =
    "version: 1\n"
    "profiles:\n"
    "  active: default\n"
    "  items: [{name: default, development: [python]}]\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(ExitboxConfig) config = NULL;
  const char * const *notices;

  config = exitbox_config_load_data (data, -1, "c.yaml", &error);
  g_assert_no_error (error);

  /* The older form is skipped, so the default applies. */
  g_assert_cmpuint (list_length (exitbox_config_get_profiles (config)), ==, 1);

  notices = exitbox_config_get_notices (config);
  g_assert_cmpuint (list_length (notices), ==, 1);
  g_test_message ("notice: %s", notices[0]);
  g_assert_true (g_str_has_prefix (notices[0], "c.yaml:3:3: profiles:"));
  g_assert_nonnull (strstr (notices[0], "[python, build-tools]"));
}

static void
test_config_set_agent_enabled (Fixture       *fixture,
                               gconstpointer  user_data)
{
  const char *expected_enabled =
    "# My settings.\n"
    "version: 1\n"
    "\n"
    "agents:\n"
    "  claude:\n"
    "    enabled: yes   # the main one\n"
    "  retired_agent:\n"
    "    enabled: true\n"
    "  codex:\n"
    "    enabled: true\n"
    "\n"
    "settings:\n"
    "  base: 'debian'\n"
    "  default_flags:\n"
    "    memory: \"8g\"\n";
  const char *expected_disabled =
    "# My settings.\n"
    "version: 1\n"
    "\n"
    "agents:\n"
    "  claude:\n"
    "    enabled: false   # the main one\n"
    "  retired_agent:\n"
    "    enabled: true\n"
    "  codex:\n"
    "    enabled: true\n"
    "\n"
    "settings:\n"
    "  base: 'debian'\n"
    "  default_flags:\n"
    "    memory: \"8g\"\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(ExitboxConfig) config = NULL;
  g_autofree char *after_enable = NULL;
  g_autofree char *after_disable = NULL;
  gboolean changed = FALSE;

  exitbox_test_write_file (fixture->config_path, user_config);
  g_assert_cmpint (g_chmod (fixture->config_path, 0644), ==, 0);

  g_assert_true (exitbox_config_set_agent_enabled_in_file (fixture->config_path, "codex", TRUE,
                                                           &changed, &error));
  g_assert_no_error (error);
  g_assert_true (changed);
  after_enable = exitbox_test_read_file (fixture->config_path);
  g_assert_cmpstr (after_enable, ==, expected_enabled);
  g_assert_cmpuint (file_mode (fixture->config_path), ==, 0600);

  g_assert_true (exitbox_config_set_agent_enabled_in_file (fixture->config_path, "claude", FALSE,
                                                           &changed, &error));
  g_assert_no_error (error);
  g_assert_true (changed);
  after_disable = exitbox_test_read_file (fixture->config_path);
  g_assert_cmpstr (after_disable, ==, expected_disabled);

  config = exitbox_config_load_file (fixture->config_path, &error);
  g_assert_no_error (error);
  g_assert_true (exitbox_config_get_agent_enabled (config, "codex"));
  g_assert_false (exitbox_config_get_agent_enabled (config, "claude"));

  /* No temporary file is left next to it. */
  g_assert_cmpuint (exitbox_test_count_folder_entries (fixture->config_dir), ==, 1);
}

/* In the first-run file only the one value changes. */
static void
test_config_set_agent_default_file (Fixture       *fixture,
                                    gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(GString) expected = NULL;
  gboolean changed = FALSE;

  g_assert_true (exitbox_config_ensure_defaults (fixture->config_dir, NULL, &error));
  g_assert_no_error (error);
  before = exitbox_test_read_file (fixture->config_path);

  expected = g_string_new (before);
  g_assert_cmpuint (g_string_replace (expected, "  codex:\n    enabled: false\n",
                                      "  codex:\n    enabled: true\n", 0), ==, 1);

  g_assert_true (exitbox_config_set_agent_enabled_in_file (fixture->config_path, "codex", TRUE,
                                                           &changed, &error));
  g_assert_no_error (error);
  g_assert_true (changed);
  after = exitbox_test_read_file (fixture->config_path);
  g_assert_cmpstr (after, ==, expected->str);
}

/* Asking for the state the agent already has writes nothing. */
static void
test_config_set_agent_unchanged (Fixture       *fixture,
                                 gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *after = NULL;
  gboolean changed = TRUE;
  gint64 mtime;

  exitbox_test_write_file (fixture->config_path, user_config);
  mtime = set_old_mtime (fixture->config_path);

  g_assert_true (exitbox_config_set_agent_enabled_in_file (fixture->config_path, "claude", TRUE,
                                                           &changed, &error));
  g_assert_no_error (error);
  g_assert_false (changed);
  after = exitbox_test_read_file (fixture->config_path);
  g_assert_cmpstr (after, ==, user_config);
  g_assert_cmpint (file_mtime (fixture->config_path), ==, mtime);
}

/* Each edit is rejected, and the file stays as it was, byte for byte and
 * with its old modification time.
 */
static void
test_config_set_agent_untouched (Fixture       *fixture,
                                 gconstpointer  user_data)
{
  const struct
  {
    const char *contents;
    const char *agent_id;
    GQuark      domain;
    gint        code;
    const char *message_part;
  } cases[] = {
    { "agents:\n  codex:\n    enabled: [false\n", "codex",
      EXITBOX_CONFIG_ERROR, EXITBOX_CONFIG_ERROR_PARSE, "Fix the YAML syntax" },
    { "agents:\n  codex:\n    enabled: maybe\n", "codex",
      EXITBOX_CONFIG_ERROR, EXITBOX_CONFIG_ERROR_INVALID_VALUE, "“maybe”" },
    { "version: 2\nagents:\n  codex:\n    enabled: false\n", "codex",
      EXITBOX_CONFIG_ERROR, EXITBOX_CONFIG_ERROR_NEWER_VERSION, "read-only for this version" },
    { "agents: {claude: {enabled: true}}\n", "codex",
      G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "one key per line" },
    { "version: 1\n", "gemini",
      G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "“gemini”" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *after = NULL;
      gboolean changed = TRUE;
      gint64 mtime;

      exitbox_test_write_file (fixture->config_path, cases[i].contents);
      mtime = set_old_mtime (fixture->config_path);

      g_assert_false (exitbox_config_set_agent_enabled_in_file (fixture->config_path,
                                                                cases[i].agent_id, TRUE,
                                                                &changed, &error));
      g_assert_error (error, cases[i].domain, cases[i].code);
      g_test_message ("message: %s", error->message);
      g_assert_nonnull (strstr (error->message, cases[i].message_part));
      g_assert_false (changed);

      after = exitbox_test_read_file (fixture->config_path);
      g_assert_cmpstr (after, ==, cases[i].contents);
      g_assert_cmpint (file_mtime (fixture->config_path), ==, mtime);
      g_assert_cmpuint (exitbox_test_count_folder_entries (fixture->config_dir), ==, 1);
    }
}

/* A config.yaml that is a symbolic link stays one, and its target changes. */
static void
test_config_set_agent_symlink (Fixture       *fixture,
                               gconstpointer  user_data)
{
  g_autofree char *target = g_build_filename (fixture->xdg_config_home, "dotfiles.yaml", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *after = NULL;
  gboolean changed = FALSE;

  exitbox_test_write_file (target, "agents:\n  codex:\n    enabled: false\n");
  g_assert_cmpint (g_mkdir_with_parents (fixture->config_dir, 0700), ==, 0);
  g_assert_cmpint (symlink (target, fixture->config_path), ==, 0);

  g_assert_true (exitbox_config_set_agent_enabled_in_file (fixture->config_path, "codex", TRUE,
                                                           &changed, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (fixture->config_path, G_FILE_TEST_IS_SYMLINK));
  after = exitbox_test_read_file (target);
  g_assert_cmpstr (after, ==, "agents:\n  codex:\n    enabled: true\n");
}

static void
test_config_set_agent_missing_file (Fixture       *fixture,
                                    gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (exitbox_config_set_agent_enabled_in_file (fixture->config_path, "codex", TRUE,
                                                            NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_false (g_file_test (fixture->config_path, G_FILE_TEST_EXISTS));
}

static void
test_yaml_null_and_plain (void)
{
  const char *data = "a: ~\nb: null\nc: ''\nd:\ne: \"null\"\nf: NULL\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(ExitboxYamlDocument) document = NULL;
  yaml_node_t *root;

  document = exitbox_yaml_document_load_data (data, -1, "n.yaml", &error);
  g_assert_no_error (error);
  root = exitbox_yaml_document_get_root (document);

  g_assert_true (exitbox_yaml_node_is_null (exitbox_yaml_mapping_lookup (document, root, "a")));
  g_assert_true (exitbox_yaml_node_is_null (exitbox_yaml_mapping_lookup (document, root, "b")));
  g_assert_false (exitbox_yaml_node_is_null (exitbox_yaml_mapping_lookup (document, root, "c")));
  g_assert_true (exitbox_yaml_node_is_null (exitbox_yaml_mapping_lookup (document, root, "d")));
  g_assert_false (exitbox_yaml_node_is_null (exitbox_yaml_mapping_lookup (document, root, "e")));
  g_assert_true (exitbox_yaml_node_is_null (exitbox_yaml_mapping_lookup (document, root, "f")));
  g_assert_true (exitbox_yaml_node_is_null (exitbox_yaml_mapping_lookup (document, root, "z")));
  g_assert_cmpuint (exitbox_yaml_node_get_length (root), ==, 6);
}

/* A save that stops while it writes, here at the file size limit, leaves
 * the old file as it was: the new text goes to a temporary file that is
 * renamed over it only when complete.
 */
static void
save_under_size_limit (gboolean ignore_signal)
{
  const char *path = g_getenv ("EXITBOX_TEST_SAVE_PATH");
  struct rlimit limit = { 512, 512 };
  g_autoptr(GError) error = NULL;
  gboolean changed = FALSE;

  g_assert_nonnull (path);

  if (ignore_signal)
    signal (SIGXFSZ, SIG_IGN);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limit), ==, 0);

  g_assert_false (exitbox_config_set_agent_enabled_in_file (path, "codex", TRUE, &changed,
                                                            &error));
  g_assert_nonnull (error);
}

static char *
write_large_config (const char *folder)
{
  g_autoptr(GString) text = g_string_new ("# A long comment, so the file is larger than the limit.\n");
  g_autofree char *path = g_build_filename (folder, "config.yaml", NULL);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 100; i++)
    g_string_append_printf (text, "# line %u of the user's notes\n", i);
  g_string_append (text, "version: 1\nagents:\n  codex:\n    enabled: false\n");

  g_file_set_contents (path, text->str, (gssize) text->len, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&path);
}

static guint
count_entries (const char *folder)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  guint count = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    count++;

  return count;
}

static void
test_config_save_interrupted (void)
{
  g_autofree char *folder = NULL;
  g_autofree char *path = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  if (g_test_subprocess ())
    {
      /* SIGXFSZ ends the process in the middle of the write. */
      save_under_size_limit (FALSE);
      return;
    }

  folder = exitbox_test_make_tmpdir ("exitbox-test-save-XXXXXX");
  path = write_large_config (folder);
  g_assert_true (g_file_get_contents (path, &before, NULL, NULL));
  g_setenv ("EXITBOX_TEST_SAVE_PATH", path, TRUE);

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();

  g_assert_true (g_file_get_contents (path, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, before);

  /* The partly written temporary file shows that the process stopped
   * during the save, before the rename.
   */
  g_assert_cmpuint (count_entries (folder), ==, 2);

  g_unsetenv ("EXITBOX_TEST_SAVE_PATH");
  exitbox_test_remove_tree (folder);
}

static void
test_config_save_write_error (void)
{
  g_autofree char *folder = NULL;
  g_autofree char *path = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  if (g_test_subprocess ())
    {
      /* With the signal ignored, write() fails with EFBIG instead. */
      save_under_size_limit (TRUE);
      return;
    }

  folder = exitbox_test_make_tmpdir ("exitbox-test-save-XXXXXX");
  path = write_large_config (folder);
  g_assert_true (g_file_get_contents (path, &before, NULL, NULL));
  g_setenv ("EXITBOX_TEST_SAVE_PATH", path, TRUE);

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();

  g_assert_true (g_file_get_contents (path, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, before);

  /* The temporary file is removed after the failed write. */
  g_assert_cmpuint (count_entries (folder), ==, 1);

  g_unsetenv ("EXITBOX_TEST_SAVE_PATH");
  exitbox_test_remove_tree (folder);
}

static void
test_config_newer_version_notice (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ExitboxConfig) config = exitbox_config_load_data ("version: 7\nfuture_key: 1\n", -1,
                                                              "c.yaml", &error);
  const char * const *notices;

  g_assert_no_error (error);
  notices = exitbox_config_get_notices (config);
  g_assert_cmpuint (g_strv_length ((char **) notices), ==, 1);
  g_assert_nonnull (strstr (notices[0], "c.yaml has version 7"));
  g_assert_nonnull (strstr (notices[0], "will not change it"));
}

/* -t persists to tools.user: only the lines of the list change, so the
 * comments of the default file survive, and existing names are skipped.
 */
static void
test_config_add_user_tools (Fixture       *fixture,
                            gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) added = NULL;
  g_autoptr(GPtrArray) added_again = NULL;
  g_autoptr(ExitboxConfig) config = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  const char * const tools[] = { "htop", "jq", "htop", NULL };
  const char * const again[] = { "jq", NULL };
  const char * const *user_tools;
  gboolean created = FALSE;

  g_assert_true (exitbox_config_ensure_defaults (fixture->config_dir, &created, &error));
  g_assert_no_error (error);
  before = exitbox_test_read_file (fixture->config_path);

  g_assert_true (exitbox_config_add_user_tools_in_file (fixture->config_path, tools, &added,
                                                        &error));
  g_assert_no_error (error);
  g_assert_cmpuint (added->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (added, 0), ==, "htop");
  g_assert_cmpstr (g_ptr_array_index (added, 1), ==, "jq");

  after = exitbox_test_read_file (fixture->config_path);
  exitbox_test_assert_contains (after, "  # Extra packages of the base distribution");
  exitbox_test_assert_contains (after, "  user:\n    - htop\n    - jq\n");
  g_assert_cmpuint (strlen (after), ==, strlen (before) - strlen (" []") +
                                        strlen ("\n    - htop\n    - jq"));
  g_assert_cmpuint (file_mode (fixture->config_path), ==, 0600);

  config = exitbox_config_load_file (fixture->config_path, &error);
  g_assert_no_error (error);
  user_tools = exitbox_config_get_user_tools (config);
  g_assert_cmpuint (g_strv_length ((char **) user_tools), ==, 2);
  g_assert_cmpstr (user_tools[0], ==, "htop");
  g_assert_cmpstr (user_tools[1], ==, "jq");

  g_assert_true (exitbox_config_add_user_tools_in_file (fixture->config_path, again, &added_again,
                                                        &error));
  g_assert_no_error (error);
  g_assert_cmpuint (added_again->len, ==, 0);
}

static void
test_config_add_user_tools_invalid (Fixture       *fixture,
                                    gconstpointer  user_data)
{
  const char * const invalid[] = { "htop", "Bad Name", NULL };
  const char * const renamed[] = { "node", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gboolean created = FALSE;

  g_assert_true (exitbox_config_ensure_defaults (fixture->config_dir, &created, &error));
  before = exitbox_test_read_file (fixture->config_path);

  g_assert_false (exitbox_config_add_user_tools_in_file (fixture->config_path, invalid, NULL,
                                                         &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  exitbox_test_assert_contains (error->message, "“Bad Name”");
  g_clear_error (&error);

  g_assert_false (exitbox_config_add_user_tools_in_file (fixture->config_path, renamed, NULL,
                                                         &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  exitbox_test_assert_contains (error->message, "“nodejs”");

  after = exitbox_test_read_file (fixture->config_path);
  g_assert_cmpstr (after, ==, before);
}

static void
test_config_set_value (Fixture       *fixture,
                       gconstpointer  user_data)
{
  const char *original =
    "# Mine.\n"
    "version: 1\n"
    "settings:\n"
    "  default_flags:\n"
    "    memory: 8g   # plenty\n";
  const char *memory_path[] = { "settings", "default_flags", "memory", NULL };
  const char *idle_path[] = { "settings", "proxy_idle_minutes", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *after = NULL;
  g_autofree char *after_invalid = NULL;
  gboolean changed = FALSE;

  exitbox_test_write_file (fixture->config_path, original);

  g_assert_true (exitbox_config_set_value_in_file (fixture->config_path, memory_path, "16g",
                                                   &changed, &error));
  g_assert_no_error (error);
  g_assert_true (changed);
  g_assert_true (exitbox_config_set_value_in_file (fixture->config_path, idle_path, "30",
                                                   &changed, &error));
  g_assert_no_error (error);

  after = exitbox_test_read_file (fixture->config_path);
  g_assert_cmpstr (after, ==,
                   "# Mine.\n"
                   "version: 1\n"
                   "settings:\n"
                   "  default_flags:\n"
                   "    memory: 16g   # plenty\n"
                   "  proxy_idle_minutes: 30\n");

  /* An invalid value is named, and the file stays as it was. */
  g_assert_false (exitbox_config_set_value_in_file (fixture->config_path, memory_path, "lots",
                                                    &changed, &error));
  g_assert_error (error, EXITBOX_CONFIG_ERROR, EXITBOX_CONFIG_ERROR_INVALID_VALUE);
  g_assert_nonnull (strstr (error->message, "“lots”"));
  g_assert_null (strstr (error->message, "config.yaml:"));
  g_assert_false (changed);
  after_invalid = exitbox_test_read_file (fixture->config_path);
  g_assert_cmpstr (after_invalid, ==, after);
}

static void
test_config_check_value (void)
{
  const char *memory_path[] = { "settings", "default_flags", "memory", NULL };
  const char *cpus_path[] = { "settings", "default_flags", "cpus", NULL };
  const char *image_path[] = { "settings", "base_image", NULL };
  const char *idle_path[] = { "settings", "proxy_idle_minutes", NULL };
  const char *switch_path[] = { "settings", "auto_update", NULL };
  const char *unknown_path[] = { "settings", "colour", NULL };
  g_autoptr(GError) memory_error = NULL;
  g_autoptr(GError) idle_error = NULL;
  g_autoptr(GError) unknown_error = NULL;

  g_assert_true (exitbox_config_check_value (memory_path, "512m", NULL));
  g_assert_true (exitbox_config_check_value (cpus_path, "1.5", NULL));
  g_assert_false (exitbox_config_check_value (cpus_path, "0", NULL));
  g_assert_true (exitbox_config_check_value (image_path, "", NULL));
  g_assert_false (exitbox_config_check_value (image_path, "Not An Image", NULL));
  g_assert_true (exitbox_config_check_value (switch_path, "yes", NULL));
  g_assert_false (exitbox_config_check_value (switch_path, "maybe", NULL));

  /* A typed value is named with what is accepted, and no file position. */
  g_assert_false (exitbox_config_check_value (memory_path, "lots", &memory_error));
  g_assert_error (memory_error, EXITBOX_CONFIG_ERROR, EXITBOX_CONFIG_ERROR_INVALID_VALUE);
  g_assert_cmpstr (memory_error->message, ==,
                   "“lots” is not a valid value for settings.default_flags.memory. Enter a "
                   "number greater than 0 with an optional unit b, k, m or g, such as 8g or "
                   "512m.");

  g_assert_false (exitbox_config_check_value (idle_path, "-1", &idle_error));
  g_assert_nonnull (strstr (idle_error->message, "a whole number of minutes from 0 to"));

  g_assert_false (exitbox_config_check_value (unknown_path, "1", &unknown_error));
  g_assert_error (unknown_error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
}

static void
test_yaml_recursive_alias (void)
{
  const char *text = "roles: &x\n  - backend\n  - b: *x\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(ExitboxConfig) config = exitbox_config_load_data (text, -1, "c.yaml", &error);
  g_autoptr(ExitboxAllowlist) allowlist = exitbox_allowlist_load_data (text, -1, "a.yaml");

  /* Found by fuzzing: the walk over such a file never ended. */
  g_assert_null (config);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "c.yaml:"));
  g_assert_nonnull (strstr (error->message, "alias"));
  g_assert_cmpint (exitbox_allowlist_get_status (allowlist), ==, EXITBOX_ALLOWLIST_STATUS_INVALID);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  exitbox_core_init ();

  g_test_add ("/config/defaults-first-run", Fixture, NULL,
              fixture_set_up, test_config_defaults_first_run, fixture_tear_down);
  g_test_add ("/config/defaults-config-exists", Fixture, NULL,
              fixture_set_up, test_config_defaults_config_exists, fixture_tear_down);
  g_test_add ("/config/defaults-allowlist-exists", Fixture, NULL,
              fixture_set_up, test_config_defaults_allowlist_exists, fixture_tear_down);
  g_test_add ("/config/defaults-dangling-symlink", Fixture, NULL,
              fixture_set_up, test_config_defaults_dangling_symlink, fixture_tear_down);
  g_test_add_func ("/config/defaults-match-file", test_config_defaults_match_file);
  g_test_add_func ("/config/values-read", test_config_values_read);
  g_test_add_func ("/config/booleans", test_config_booleans);
  g_test_add_func ("/config/check-value", test_config_check_value);
  g_test_add_func ("/config/missing-keys", test_config_missing_keys);
  g_test_add_func ("/config/unknown-keys", test_config_unknown_keys);
  g_test_add_func ("/config/invalid-values", test_config_invalid_values);
  g_test_add_func ("/config/valid-values", test_config_valid_values);
  g_test_add_func ("/config/user-tools-migration", test_config_user_tools_migration);
  g_test_add ("/config/user-tools-not-written", Fixture, NULL,
              fixture_set_up, test_config_user_tools_not_written, fixture_tear_down);
  g_test_add_func ("/config/profiles-legacy", test_config_profiles_legacy);
  g_test_add ("/config/parse-error", Fixture, NULL,
              fixture_set_up, test_config_parse_error, fixture_tear_down);
  g_test_add_func ("/config/parse-error-positions", test_config_parse_error_positions);
  g_test_add ("/config/missing-file", Fixture, NULL,
              fixture_set_up, test_config_missing_file, fixture_tear_down);
  g_test_add ("/config/effective-base-image", Fixture, NULL,
              fixture_set_up, test_config_effective_base_image, fixture_tear_down);
  g_test_add_func ("/config/image-reference", test_config_image_reference);
  g_test_add ("/config/add-user-tools", Fixture, NULL,
              fixture_set_up, test_config_add_user_tools, fixture_tear_down);
  g_test_add ("/config/add-user-tools-invalid", Fixture, NULL,
              fixture_set_up, test_config_add_user_tools_invalid, fixture_tear_down);
  g_test_add ("/config/set-agent-enabled", Fixture, NULL,
              fixture_set_up, test_config_set_agent_enabled, fixture_tear_down);
  g_test_add ("/config/set-agent-default-file", Fixture, NULL,
              fixture_set_up, test_config_set_agent_default_file, fixture_tear_down);
  g_test_add ("/config/set-agent-unchanged", Fixture, NULL,
              fixture_set_up, test_config_set_agent_unchanged, fixture_tear_down);
  g_test_add ("/config/set-agent-untouched", Fixture, NULL,
              fixture_set_up, test_config_set_agent_untouched, fixture_tear_down);
  g_test_add ("/config/set-agent-symlink", Fixture, NULL,
              fixture_set_up, test_config_set_agent_symlink, fixture_tear_down);
  g_test_add ("/config/set-agent-missing-file", Fixture, NULL,
              fixture_set_up, test_config_set_agent_missing_file, fixture_tear_down);
  g_test_add_func ("/config/newer-version-notice", test_config_newer_version_notice);
  g_test_add ("/config/set-value", Fixture, NULL,
              fixture_set_up, test_config_set_value, fixture_tear_down);
  g_test_add_func ("/config/save-interrupted", test_config_save_interrupted);
  g_test_add_func ("/config/save-write-error", test_config_save_write_error);
  g_test_add_func ("/yaml/null-and-plain", test_yaml_null_and_plain);
  g_test_add_func ("/yaml/recursive-alias", test_yaml_recursive_alias);

  return g_test_run ();
}
