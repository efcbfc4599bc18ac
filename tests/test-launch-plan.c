/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <string.h>

#include "exitbox-launch-plan.h"

#define TRICKY_PATH "/home/ada/my project: a,b \"quoted\""

static void
fill_options (ExitboxLaunchOptions *options)
{
  static const char * const command[] = { "claude", "--print", "hello, world", NULL };

  *options = (ExitboxLaunchOptions) {
    .engine_kind = EXITBOX_ENGINE_KIND_PODMAN,
    .rootless = TRUE,
    .uid = 1000,
    .gid = 1001,
    .image = "exitbox-claude-my-project-0123abcd",
    .container_name = "exitbox-claude-my-project-0123abcd-00000001",
    .project_path = TRICKY_PATH,
    .read_only = FALSE,
    .interactive = FALSE,
    .proxy_address = "10.89.3.2",
    .memory = "8g",
    .cpus = "4",
    .pids_limit = 4096,
    .agent_id = "claude",
    .command = command,
  };
}

static int
index_of (char       **args,
          const char  *arg)
{
  for (int i = 0; args[i] != NULL; i++)
    {
      if (g_str_equal (args[i], arg))
        return i;
    }

  return -1;
}

/* Asserts that @option is present and followed by @value. */
static void
assert_option (char       **args,
               const char  *option,
               const char  *value)
{
  int i = index_of (args, option);

  g_assert_cmpint (i, >=, 0);
  g_assert_nonnull (args[i + 1]);
  g_assert_cmpstr (args[i + 1], ==, value);
}

static void
test_launch_plan_hardening (void)
{
  ExitboxLaunchOptions options;
  g_auto(GStrv) args = NULL;

  fill_options (&options);
  args = exitbox_launch_build_run_args (&options);

  g_assert_cmpstr (args[0], ==, "run");
  g_assert_cmpint (index_of (args, "--rm"), >, 0);
  g_assert_cmpint (index_of (args, "--init"), >, 0);
  g_assert_cmpint (index_of (args, "--cap-drop=ALL"), >, 0);
  g_assert_cmpint (index_of (args, "--security-opt=no-new-privileges"), >, 0);
  assert_option (args, "--network", "exitbox-int");
  assert_option (args, "--dns", "127.0.0.1");
  assert_option (args, "--memory", "8g");
  assert_option (args, "--cpus", "4");
  assert_option (args, "--pids-limit", "4096");
  assert_option (args, "--user", "1000:1001");
  assert_option (args, "--name", "exitbox-claude-my-project-0123abcd-00000001");
  assert_option (args, "--workdir", "/workspace");
}

static void
test_launch_plan_tricky_path (void)
{
  ExitboxLaunchOptions options;
  g_auto(GStrv) args = NULL;

  fill_options (&options);
  args = exitbox_launch_build_run_args (&options);

  /* CSV quoting: the whole field quoted, an inner quote doubled. */
  assert_option (args, "--mount",
                 "\"type=bind\",\"source=/home/ada/my project: a,b \"\"quoted\"\"\","
                 "\"destination=/workspace\"");
  g_assert_cmpint (index_of (args, "-v"), ==, -1);
  g_assert_cmpint (index_of (args, "--volume"), ==, -1);
}

static void
test_launch_plan_read_only (void)
{
  ExitboxLaunchOptions options;
  g_auto(GStrv) args = NULL;
  int i;

  fill_options (&options);
  options.read_only = TRUE;
  args = exitbox_launch_build_run_args (&options);

  i = index_of (args, "--mount");
  g_assert_cmpint (i, >, 0);
  g_assert_true (g_str_has_suffix (args[i + 1], ",\"readonly\""));
}

static void
test_launch_plan_interactive (void)
{
  ExitboxLaunchOptions options;
  g_auto(GStrv) quiet = NULL;
  g_auto(GStrv) terminal = NULL;

  fill_options (&options);
  quiet = exitbox_launch_build_run_args (&options);
  g_assert_cmpint (index_of (quiet, "--tty"), ==, -1);
  g_assert_cmpint (index_of (quiet, "--interactive"), ==, -1);
  g_assert_cmpint (index_of (quiet, "TERM=xterm-256color"), ==, -1);

  options.interactive = TRUE;
  terminal = exitbox_launch_build_run_args (&options);
  g_assert_cmpint (index_of (terminal, "--tty"), >, 0);
  g_assert_cmpint (index_of (terminal, "--interactive"), >, 0);
  g_assert_cmpint (index_of (terminal, "TERM=xterm-256color"), >, 0);
}

static void
test_launch_plan_user_namespace (void)
{
  ExitboxLaunchOptions options;
  g_auto(GStrv) rootless = NULL;
  g_auto(GStrv) rootful = NULL;
  g_auto(GStrv) docker = NULL;

  fill_options (&options);
  rootless = exitbox_launch_build_run_args (&options);
  g_assert_cmpint (index_of (rootless, "--userns=keep-id"), >, 0);

  options.rootless = FALSE;
  rootful = exitbox_launch_build_run_args (&options);
  g_assert_cmpint (index_of (rootful, "--userns=keep-id"), ==, -1);

  options.engine_kind = EXITBOX_ENGINE_KIND_DOCKER;
  docker = exitbox_launch_build_run_args (&options);
  g_assert_cmpint (index_of (docker, "--userns=keep-id"), ==, -1);
}

static void
test_launch_plan_proxy_environment (void)
{
  ExitboxLaunchOptions options;
  g_auto(GStrv) args = NULL;
  const char *expected[] = {
    "http_proxy=http://10.89.3.2:3128",
    "https_proxy=http://10.89.3.2:3128",
    "HTTP_PROXY=http://10.89.3.2:3128",
    "HTTPS_PROXY=http://10.89.3.2:3128",
    "EXITBOX_AGENT=claude",
  };

  fill_options (&options);
  args = exitbox_launch_build_run_args (&options);

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      int position = index_of (args, expected[i]);

      g_assert_cmpint (position, >, 0);
      g_assert_cmpstr (args[position - 1], ==, "--env");
    }
}

static void
test_launch_plan_command_after_image (void)
{
  ExitboxLaunchOptions options;
  g_auto(GStrv) args = NULL;
  int image;

  fill_options (&options);
  args = exitbox_launch_build_run_args (&options);

  image = index_of (args, "exitbox-claude-my-project-0123abcd");
  g_assert_cmpint (image, >, 0);
  g_assert_cmpstr (args[image + 1], ==, "claude");
  g_assert_cmpstr (args[image + 2], ==, "--print");
  g_assert_cmpstr (args[image + 3], ==, "hello, world");
  g_assert_null (args[image + 4]);
}

static void
test_launch_plan_shell_without_limits (void)
{
  ExitboxLaunchOptions options;
  g_auto(GStrv) args = NULL;
  int image;

  fill_options (&options);
  options.agent_id = NULL;
  options.command = NULL;
  options.memory = NULL;
  options.cpus = NULL;
  options.pids_limit = 0;
  args = exitbox_launch_build_run_args (&options);

  g_assert_cmpint (index_of (args, "--memory"), ==, -1);
  g_assert_cmpint (index_of (args, "--cpus"), ==, -1);
  g_assert_cmpint (index_of (args, "--pids-limit"), ==, -1);
  for (int i = 0; args[i] != NULL; i++)
    g_assert_false (g_str_has_prefix (args[i], "EXITBOX_AGENT="));

  image = index_of (args, "exitbox-claude-my-project-0123abcd");
  g_assert_cmpint (image, >, 0);
  g_assert_null (args[image + 1]);
}

static void
test_launch_plan_container_name (void)
{
  g_autofree char *agent = exitbox_launch_dup_container_name ("claude", "my-project-0123abcd");
  g_autofree char *shell = exitbox_launch_dup_container_name (NULL, "my-project-0123abcd");
  g_autofree char *again = exitbox_launch_dup_container_name (NULL, "my-project-0123abcd");

  g_assert_true (g_str_has_prefix (agent, "exitbox-claude-my-project-0123abcd-"));
  g_assert_cmpuint (strlen (agent), ==, strlen ("exitbox-claude-my-project-0123abcd-") + 8);
  g_assert_true (g_str_has_prefix (shell, "exitbox-shell-my-project-0123abcd-"));
  g_assert_cmpstr (shell, !=, again);
}

static void
test_launch_plan_env_file (void)
{
  ExitboxLaunchOptions options;
  g_auto(GStrv) args = NULL;
  int env_file;
  int proxy;

  fill_options (&options);
  options.interactive = TRUE;
  options.env_file = "/home/ada/.cache/exitbox/sessions/a b.env";
  args = exitbox_launch_build_run_args (&options);

  assert_option (args, "--env-file", "/home/ada/.cache/exitbox/sessions/a b.env");
  /* The file sets TERM, and ExitBox's own variables come after it. */
  g_assert_cmpint (index_of (args, "TERM=xterm-256color"), ==, -1);
  env_file = index_of (args, "--env-file");
  proxy = index_of (args, "HOME=/home/user");
  g_assert_cmpint (env_file, <, proxy);
}

static void
test_launch_plan_extra_mounts (void)
{
  const ExitboxLaunchMount mounts[] = {
    { "/srv/shared docs, v2", "/workspace/shared docs, v2", TRUE },
    { "/srv/lib", "/workspace/lib", FALSE },
  };
  ExitboxLaunchOptions options;
  g_auto(GStrv) args = NULL;
  int project = -1;
  int docs = -1;
  int lib = -1;
  int home = -1;

  fill_options (&options);
  options.extra_mounts = mounts;
  options.n_extra_mounts = G_N_ELEMENTS (mounts);
  options.home_path = "/home/ada/.config/exitbox/claude";
  args = exitbox_launch_build_run_args (&options);

  for (int i = 0; args[i] != NULL; i++)
    {
      if (!g_str_equal (args[i], "--mount"))
        continue;

      if (strstr (args[i + 1], "\"destination=/workspace\"") != NULL)
        project = i;
      else if (g_str_equal (args[i + 1], "\"type=bind\",\"source=/srv/shared docs, v2\","
                                         "\"destination=/workspace/shared docs, v2\","
                                         "\"readonly\""))
        docs = i;
      else if (g_str_equal (args[i + 1], "\"type=bind\",\"source=/srv/lib\","
                                         "\"destination=/workspace/lib\""))
        lib = i;
      else if (g_str_equal (args[i + 1], "\"type=bind\","
                                         "\"source=/home/ada/.config/exitbox/claude\","
                                         "\"destination=/home/user\""))
        home = i;
    }

  g_assert_cmpint (project, >, 0);
  g_assert_cmpint (docs, >, project);
  g_assert_cmpint (lib, >, docs);
  g_assert_cmpint (home, >, 0);
}

static void
test_launch_plan_no_secrets_in_args (void)
{
  ExitboxLaunchOptions options;
  g_auto(GStrv) args = NULL;

  fill_options (&options);
  options.env_file = "/tmp/session.env";
  args = exitbox_launch_build_run_args (&options);

  for (int i = 0; args[i] != NULL; i++)
    {
      g_assert_false (g_str_has_prefix (args[i], "ANTHROPIC_API_KEY"));
      g_assert_false (g_str_has_prefix (args[i], "OPENAI_API_KEY"));
    }
}

static void
test_launch_plan_session_address (void)
{
  ExitboxLaunchOptions options;
  g_auto(GStrv) args = NULL;
  g_auto(GStrv) without = NULL;

  fill_options (&options);
  options.address = "10.89.3.254";
  args = exitbox_launch_build_run_args (&options);

  assert_option (args, "--network", "exitbox-int");
  assert_option (args, "--ip", "10.89.3.254");

  fill_options (&options);
  without = exitbox_launch_build_run_args (&options);
  g_assert_cmpint (index_of (without, "--ip"), ==, -1);
}

static void
test_launch_plan_no_firewall (void)
{
  ExitboxLaunchOptions options;
  g_auto(GStrv) args = NULL;

  fill_options (&options);
  options.no_firewall = TRUE;
  options.proxy_address = NULL;
  options.address = "10.89.3.254";
  args = exitbox_launch_build_run_args (&options);

  /* The engine's own bridge, never "host". */
  assert_option (args, "--network", "bridge");
  g_assert_cmpint (index_of (args, "host"), ==, -1);
  g_assert_cmpint (index_of (args, "--ip"), ==, -1);
  /* The bridge's DNS works, so no unusable resolver is set. */
  g_assert_cmpint (index_of (args, "--dns"), ==, -1);
  for (guint i = 0; args[i] != NULL; i++)
    {
      g_assert_false (g_str_has_prefix (args[i], "http_proxy="));
      g_assert_false (g_str_has_prefix (args[i], "HTTPS_PROXY="));
    }

  /* The hardening stays. */
  g_assert_cmpint (index_of (args, "--cap-drop=ALL"), >=, 0);
  g_assert_cmpint (index_of (args, "--security-opt=no-new-privileges"), >=, 0);
}

static void
test_launch_plan_status_line (void)
{
  g_autofree char *on = exitbox_launch_dup_status_line ("Claude Code", "/home/ana/src/web shop",
                                                        FALSE, 12, 0);
  g_autofree char *one = exitbox_launch_dup_status_line ("Shell", "/srv/p", FALSE, 1, 0);
  g_autofree char *session = exitbox_launch_dup_status_line ("Codex", "/srv/p", FALSE, 12, 2);
  g_autofree char *off = exitbox_launch_dup_status_line ("OpenCode", "/srv/p", TRUE, 12, 0);

  g_assert_cmpstr (on, ==, "ExitBox " PACKAGE_VERSION " – Claude Code – web shop – firewall on, 12 domains");
  g_assert_cmpstr (one, ==, "ExitBox " PACKAGE_VERSION " – Shell – p – firewall on, 1 domain");
  g_assert_cmpstr (session, ==,
                   "ExitBox " PACKAGE_VERSION " – Codex – p – firewall on, 12 domains + 2 for this session");
  g_assert_cmpstr (off, ==, "ExitBox " PACKAGE_VERSION " – OpenCode – p – FIREWALL OFF");
}

/* A folder name cannot put control characters or invalid UTF-8 on the
 * user's terminal; tmux format text such as "#(...)" stays as it is, because
 * the entrypoint hands it to tmux as a value, not as a format.
 */
static void
test_launch_plan_status_line_names (void)
{
  g_autofree char *escape = exitbox_launch_dup_status_line ("Shell", "/srv/a\033[2Jb\nc", FALSE, 3, 0);
  g_autofree char *c1 = exitbox_launch_dup_status_line ("Shell", "/srv/x\302\233y", FALSE, 3, 0);
  g_autofree char *invalid = exitbox_launch_dup_status_line ("Shell", "/srv/caf\xe9", FALSE, 3, 0);
  g_autofree char *format = exitbox_launch_dup_status_line ("Shell", "/srv/#(reboot) ünï", FALSE, 3, 0);

  g_assert_cmpstr (escape, ==, "ExitBox " PACKAGE_VERSION " – Shell – a [2Jb c – firewall on, 3 domains");
  g_assert_cmpstr (c1, ==, "ExitBox " PACKAGE_VERSION " – Shell – x y – firewall on, 3 domains");
  g_assert_true (g_utf8_validate (invalid, -1, NULL));
  g_assert_nonnull (strstr (invalid, "– caf\357\277\275 –"));
  g_assert_cmpstr (format, ==, "ExitBox " PACKAGE_VERSION " – Shell – #(reboot) ünï – firewall on, 3 domains");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/launch-plan/hardening", test_launch_plan_hardening);
  g_test_add_func ("/launch-plan/tricky-path", test_launch_plan_tricky_path);
  g_test_add_func ("/launch-plan/read-only", test_launch_plan_read_only);
  g_test_add_func ("/launch-plan/interactive", test_launch_plan_interactive);
  g_test_add_func ("/launch-plan/user-namespace", test_launch_plan_user_namespace);
  g_test_add_func ("/launch-plan/proxy-environment", test_launch_plan_proxy_environment);
  g_test_add_func ("/launch-plan/command-after-image", test_launch_plan_command_after_image);
  g_test_add_func ("/launch-plan/shell-without-limits", test_launch_plan_shell_without_limits);
  g_test_add_func ("/launch-plan/container-name", test_launch_plan_container_name);
  g_test_add_func ("/launch-plan/env-file", test_launch_plan_env_file);
  g_test_add_func ("/launch-plan/extra-mounts", test_launch_plan_extra_mounts);
  g_test_add_func ("/launch-plan/no-secrets-in-args", test_launch_plan_no_secrets_in_args);
  g_test_add_func ("/launch-plan/session-address", test_launch_plan_session_address);
  g_test_add_func ("/launch-plan/no-firewall", test_launch_plan_no_firewall);
  g_test_add_func ("/launch-plan/status-line", test_launch_plan_status_line);
  g_test_add_func ("/launch-plan/status-line-names", test_launch_plan_status_line_names);

  return g_test_run ();
}
