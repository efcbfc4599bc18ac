/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <sys/stat.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "exitbox-session-env.h"
#include "exitbox-test-utils.h"

static void
test_session_env_default_names (void)
{
  const char * const *names = exitbox_session_env_get_default_names ();
  const char *expected[] = {
    "TERM", "LANG", "LC_ALL", "TZ", "ANTHROPIC_API_KEY", "OPENAI_API_KEY",
  };

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_true (g_strv_contains (names, expected[i]));

  /* The defaults never include a reserved name or general host state. */
  for (guint i = 0; names[i] != NULL; i++)
    g_assert_false (exitbox_session_env_name_is_reserved (names[i]));
  g_assert_false (g_strv_contains (names, "SSH_AUTH_SOCK"));
  g_assert_false (g_strv_contains (names, "AWS_SECRET_ACCESS_KEY"));
  g_assert_false (g_strv_contains (names, "DISPLAY"));
}

static void
test_session_env_reserved_names (void)
{
  const char *reserved[] = {
    "HOME", "PATH", "http_proxy", "HTTPS_PROXY", "no_proxy", "NO_PROXY", "EXITBOX_AGENT",
    "EXITBOX_ANYTHING",
  };
  const char *allowed[] = { "MY_TOKEN", "home", "PATHS", "EXITBOX", "_X" };

  for (guint i = 0; i < G_N_ELEMENTS (reserved); i++)
    g_assert_true (exitbox_session_env_name_is_reserved (reserved[i]));
  for (guint i = 0; i < G_N_ELEMENTS (allowed); i++)
    g_assert_false (exitbox_session_env_name_is_reserved (allowed[i]));
}

static void
test_session_env_assignment_errors (void)
{
  const struct {
    const char *assignment;
    const char *message_part;
  } cases[] = {
    { "NOEQUALS", "expected KEY=VALUE" },
    { "=value", "Invalid variable name “”" },
    { "1ABC=x", "Invalid variable name “1ABC”" },
    { "MY-KEY=x", "Invalid variable name “MY-KEY”" },
    { "HOME=/tmp", "HOME is reserved" },
    { "https_proxy=http://evil", "https_proxy is reserved" },
    { "EXITBOX_AGENT=codex", "EXITBOX_AGENT is reserved" },
    { "KEY=two\nlines", "line break" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (exitbox_session_env_check_assignment (cases[i].assignment, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      exitbox_test_assert_contains (error->message, cases[i].message_part);
    }
}

static void
test_session_env_reserved_message_lists_names (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (exitbox_session_env_check_assignment ("PATH=/x", &error));
  exitbox_test_assert_contains (error->message, "HOME, PATH");
  exitbox_test_assert_contains (error->message, "NO_PROXY");
}

static void
test_session_env_valid_assignments (void)
{
  const char *valid[] = { "MY_KEY=val", "A=", "_X=a=b", "KEY=spaces and , commas" };

  for (guint i = 0; i < G_N_ELEMENTS (valid); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (exitbox_session_env_check_assignment (valid[i], &error));
      g_assert_no_error (error);
    }
}

static void
test_session_env_collect_defaults (void)
{
  const char *host[] = {
    "TERM=xterm-kitty", "LANG=de_DE.UTF-8", "ANTHROPIC_API_KEY=sk-1", "SSH_AUTH_SOCK=/run/agent",
    "HOME=/root", "MY_SETTING=1", NULL
  };
  const char *passthrough[] = { "MY_SETTING", NULL };
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) variables = NULL;

  variables = exitbox_session_env_collect (host, FALSE, passthrough, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_strv_contains ((const char * const *) variables, "TERM=xterm-kitty"));
  g_assert_true (g_strv_contains ((const char * const *) variables, "LANG=de_DE.UTF-8"));
  g_assert_true (g_strv_contains ((const char * const *) variables, "ANTHROPIC_API_KEY=sk-1"));
  g_assert_true (g_strv_contains ((const char * const *) variables, "MY_SETTING=1"));
  g_assert_false (g_strv_contains ((const char * const *) variables, "SSH_AUTH_SOCK=/run/agent"));
  g_assert_false (g_strv_contains ((const char * const *) variables, "HOME=/root"));
  g_assert_cmpuint (g_strv_length (variables), ==, 4);
}

static void
test_session_env_collect_no_env (void)
{
  const char *host[] = { "TERM=xterm", "ANTHROPIC_API_KEY=sk-1", "MY_SETTING=1", NULL };
  const char *passthrough[] = { "MY_SETTING", NULL };
  const char *assignments[] = { "ONLY=this", NULL };
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) variables = NULL;

  variables = exitbox_session_env_collect (host, TRUE, passthrough, assignments, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (variables), ==, 1);
  g_assert_cmpstr (variables[0], ==, "ONLY=this");
}

static void
test_session_env_collect_assignment_wins (void)
{
  const char *host[] = { "OPENAI_API_KEY=from-host", NULL };
  const char *assignments[] = { "OPENAI_API_KEY=from-flag", "X=1", "X=2", NULL };
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) variables = NULL;

  variables = exitbox_session_env_collect (host, FALSE, NULL, assignments, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (variables), ==, 2);
  g_assert_cmpstr (variables[0], ==, "OPENAI_API_KEY=from-flag");
  g_assert_cmpstr (variables[1], ==, "X=2");
}

static void
test_session_env_collect_warns (void)
{
  const char *host[] = { "PATH=/usr/bin", "TZ=bad\nvalue", NULL };
  const char *passthrough[] = { "PATH", NULL };
  g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) variables = NULL;

  variables = exitbox_session_env_collect (host, FALSE, passthrough, NULL, warnings, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (variables), ==, 0);
  g_assert_cmpuint (warnings->len, ==, 2);
  exitbox_test_assert_contains (g_ptr_array_index (warnings, 0), "TZ");
  exitbox_test_assert_contains (g_ptr_array_index (warnings, 1), "PATH");
}

static void
test_session_env_collect_rejects_reserved (void)
{
  const char *assignments[] = { "GOOD=1", "NO_PROXY=*", NULL };
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) variables = NULL;

  variables = exitbox_session_env_collect (NULL, FALSE, NULL, assignments, NULL, &error);
  g_assert_null (variables);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
}

static void
test_session_env_file_mode (void)
{
  g_autofree char *root = exitbox_test_make_tmpdir ("exitbox-env-XXXXXX");
  g_autofree char *dir = g_build_filename (root, "sessions", NULL);
  const char *variables[] = { "A=1", "SECRET=x y=z", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  GStatBuf info;

  path = exitbox_session_env_write_file (dir, "session.env", variables, &error);
  g_assert_no_error (error);
  g_assert_nonnull (path);

  g_assert_cmpint (g_stat (path, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 07777, ==, 0600);
  g_assert_cmpint (g_stat (dir, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 07777, ==, 0700);

  contents = exitbox_test_read_file (path);
  g_assert_cmpstr (contents, ==, "A=1\nSECRET=x y=z\n");

  exitbox_test_remove_tree (root);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/session-env/default-names", test_session_env_default_names);
  g_test_add_func ("/session-env/reserved-names", test_session_env_reserved_names);
  g_test_add_func ("/session-env/assignment-errors", test_session_env_assignment_errors);
  g_test_add_func ("/session-env/reserved-message-lists-names",
                   test_session_env_reserved_message_lists_names);
  g_test_add_func ("/session-env/valid-assignments", test_session_env_valid_assignments);
  g_test_add_func ("/session-env/collect-defaults", test_session_env_collect_defaults);
  g_test_add_func ("/session-env/collect-no-env", test_session_env_collect_no_env);
  g_test_add_func ("/session-env/collect-assignment-wins", test_session_env_collect_assignment_wins);
  g_test_add_func ("/session-env/collect-warns", test_session_env_collect_warns);
  g_test_add_func ("/session-env/collect-rejects-reserved",
                   test_session_env_collect_rejects_reserved);
  g_test_add_func ("/session-env/file-mode", test_session_env_file_mode);

  return g_test_run ();
}
