/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <string.h>

#include <gio/gio.h>

#include "exitbox-yaml.h"

/* One edit: @input with the scalar at @key_path (dot-separated) set to
 * @value gives @expected, or fails with @error_code when @expected is NULL.
 */
typedef struct
{
  const char *name;
  const char *input;
  const char *key_path;
  const char *value;
  const char *expected;
  GIOErrorEnum error_code;
} EditCase;

static const EditCase edit_cases[] = {
  {
    "replace-keeps-comments",
    "# ExitBox configuration.\n"
    "\n"
    "version: 1\n"
    "\n"
    "# The agents.\n"
    "agents:\n"
    "  claude:\n"
    "    enabled: true\n"
    "  codex:\n"
    "    enabled: false\n"
    "\n"
    "settings:\n"
    "  base: debian\n",
    "agents.codex.enabled", "true",
    "# ExitBox configuration.\n"
    "\n"
    "version: 1\n"
    "\n"
    "# The agents.\n"
    "agents:\n"
    "  claude:\n"
    "    enabled: true\n"
    "  codex:\n"
    "    enabled: true\n"
    "\n"
    "settings:\n"
    "  base: debian\n",
  },
  {
    "replace-before-comment",
    "agents:\n"
    "  codex:\n"
    "    enabled: false  # off for now\n",
    "agents.codex.enabled", "true",
    "agents:\n"
    "  codex:\n"
    "    enabled: true  # off for now\n",
  },
  {
    "replace-quoted-value",
    "name: 'single'\n"
    "agents:\n"
    "  codex:\n"
    "    enabled: \"false\"\n"
    "    note: \"a \\\"quoted\\\" note\"\n",
    "agents.codex.enabled", "true",
    "name: 'single'\n"
    "agents:\n"
    "  codex:\n"
    "    enabled: true\n"
    "    note: \"a \\\"quoted\\\" note\"\n",
  },
  {
    "replace-yes-word",
    "agents:\n  codex:\n    enabled: Yes\n",
    "agents.codex.enabled", "false",
    "agents:\n  codex:\n    enabled: false\n",
  },
  {
    "replace-tilde",
    "agents:\n  codex:\n    enabled: ~\n",
    "agents.codex.enabled", "true",
    "agents:\n  codex:\n    enabled: true\n",
  },
  {
    "replace-empty-value",
    "agents:\n  codex:\n    enabled:\n  claude:\n    enabled: true\n",
    "agents.codex.enabled", "true",
    "agents:\n  codex:\n    enabled: true\n  claude:\n    enabled: true\n",
  },
  {
    "replace-empty-value-comment",
    "agents:\n  codex:\n    enabled:   # unset\n",
    "agents.codex.enabled", "true",
    "agents:\n  codex:\n    enabled: true   # unset\n",
  },
  {
    "replace-quoted-key",
    "\"agents\":\n  'codex':\n    enabled: false\n",
    "agents.codex.enabled", "true",
    "\"agents\":\n  'codex':\n    enabled: true\n",
  },
  {
    "replace-after-utf8",
    "\xEF\xBB\xBF# Überblick: ÄÖÜ — “quotes”\n"
    "agents:\n"
    "  codex:   # schön\n"
    "    enabled: false\n"
    "    label: Größe\n",
    "agents.codex.enabled", "true",
    "\xEF\xBB\xBF# Überblick: ÄÖÜ — “quotes”\n"
    "agents:\n"
    "  codex:   # schön\n"
    "    enabled: true\n"
    "    label: Größe\n",
  },
  {
    "replace-crlf",
    "# comment\r\nagents:\r\n  codex:\r\n    enabled: false\r\n",
    "agents.codex.enabled", "true",
    "# comment\r\nagents:\r\n  codex:\r\n    enabled: true\r\n",
  },
  {
    "replace-in-flow-mapping",
    "agents:\n  codex: {enabled: false, extra: 1}\n",
    "agents.codex.enabled", "true",
    "agents:\n  codex: {enabled: true, extra: 1}\n",
  },
  {
    "replace-needs-quotes",
    "settings:\n  note: old  # keep\n",
    "settings.note", "two words: yes",
    "settings:\n  note: \"two words: yes\"  # keep\n",
  },
  {
    "insert-key",
    "agents:\n"
    "  codex:\n"
    "    extra: kept\n"
    "  claude:\n"
    "    enabled: true\n",
    "agents.codex.enabled", "true",
    "agents:\n"
    "  codex:\n"
    "    extra: kept\n"
    "    enabled: true\n"
    "  claude:\n"
    "    enabled: true\n",
  },
  {
    "insert-before-comments",
    "agents:\n"
    "  claude:\n"
    "    enabled: true  # main\n"
    "\n"
    "  # opencode:\n"
    "  #   enabled: true\n"
    "\n"
    "# Settings follow.\n"
    "settings:\n"
    "  base: debian\n",
    "agents.codex.enabled", "true",
    "agents:\n"
    "  claude:\n"
    "    enabled: true  # main\n"
    "  codex:\n"
    "    enabled: true\n"
    "\n"
    "  # opencode:\n"
    "  #   enabled: true\n"
    "\n"
    "# Settings follow.\n"
    "settings:\n"
    "  base: debian\n",
  },
  {
    "insert-top-level",
    "version: 1\n"
    "settings:\n"
    "  base: debian\n"
    "  unknown_key: [a, b]\n"
    "# trailing comment\n",
    "agents.codex.enabled", "true",
    "version: 1\n"
    "settings:\n"
    "  base: debian\n"
    "  unknown_key: [a, b]\n"
    "agents:\n"
    "  codex:\n"
    "    enabled: true\n"
    "# trailing comment\n",
  },
  {
    "insert-no-final-newline",
    "agents:\n  claude:\n    enabled: true",
    "agents.codex.enabled", "false",
    "agents:\n  claude:\n    enabled: true\n  codex:\n    enabled: false\n",
  },
  {
    "insert-crlf",
    "agents:\r\n  claude:\r\n    enabled: true\r\n",
    "agents.codex.enabled", "true",
    "agents:\r\n  claude:\r\n    enabled: true\r\n  codex:\r\n    enabled: true\r\n",
  },
  {
    "insert-cr-only",
    "agents:\r  claude:\r    enabled: true\r",
    "agents.codex.enabled", "true",
    "agents:\r  claude:\r    enabled: true\r  codex:\r    enabled: true\r",
  },
  {
    "insert-indent-four",
    "agents:\n    claude:\n        enabled: true\n",
    "agents.codex.enabled", "true",
    "agents:\n    claude:\n        enabled: true\n    codex:\n        enabled: true\n",
  },
  {
    "insert-after-block-scalar",
    "settings:\n  motd: |\n    hello\n\nversion: 1\n",
    "settings.base", "alpine",
    "settings:\n  motd: |\n    hello\n\n  base: alpine\nversion: 1\n",
  },
  {
    "insert-under-empty-parent",
    "version: 1\nagents:\nsettings:\n  base: debian\n",
    "agents.codex.enabled", "true",
    "version: 1\nagents:\n  codex:\n    enabled: true\nsettings:\n  base: debian\n",
  },
  {
    "insert-under-null-parent",
    "agents:\n  codex: ~  # none\n",
    "agents.codex.enabled", "true",
    "agents:\n  codex:   # none\n    enabled: true\n",
  },
  {
    "insert-empty-file",
    "",
    "agents.codex.enabled", "true",
    "agents:\n  codex:\n    enabled: true\n",
  },
  {
    "insert-comments-only",
    "# nothing yet",
    "agents.codex.enabled", "true",
    "# nothing yet\nagents:\n  codex:\n    enabled: true\n",
  },
  {
    "reject-flow-parent",
    "agents: {claude: {enabled: true}}\n",
    "agents.codex.enabled", "true",
    NULL, G_IO_ERROR_NOT_SUPPORTED,
  },
  {
    "reject-flow-root",
    "{version: 1}\n",
    "agents.codex.enabled", "true",
    NULL, G_IO_ERROR_NOT_SUPPORTED,
  },
  {
    "reject-list-parent",
    "agents:\n  - codex\n",
    "agents.codex.enabled", "true",
    NULL, G_IO_ERROR_INVALID_DATA,
  },
  {
    "reject-text-parent",
    "agents: all\n",
    "agents.codex.enabled", "true",
    NULL, G_IO_ERROR_INVALID_DATA,
  },
  {
    "reject-mapping-value",
    "agents:\n  codex:\n    enabled:\n      now: true\n",
    "agents.codex.enabled", "true",
    NULL, G_IO_ERROR_INVALID_DATA,
  },
  {
    "reject-block-scalar",
    "agents:\n  codex:\n    enabled: |\n      false\n",
    "agents.codex.enabled", "true",
    NULL, G_IO_ERROR_NOT_SUPPORTED,
  },
  {
    "reject-alias",
    "base: &off false\nagents:\n  codex:\n    enabled: *off\n",
    "agents.codex.enabled", "true",
    NULL, G_IO_ERROR_NOT_SUPPORTED,
  },
  {
    "reject-anchor",
    "agents:\n  codex:\n    enabled: &off false\n",
    "agents.codex.enabled", "true",
    NULL, G_IO_ERROR_NOT_SUPPORTED,
  },
  {
    "reject-syntax-error",
    "agents:\n  codex: [unclosed\n",
    "agents.codex.enabled", "true",
    NULL, G_IO_ERROR_INVALID_DATA,
  },
};

static void
test_yaml_edit_case (gconstpointer user_data)
{
  const EditCase *edit_case = user_data;
  g_auto(GStrv) key_path = g_strsplit (edit_case->key_path, ".", -1);
  g_autoptr(GError) error = NULL;
  g_autofree char *result = NULL;
  gsize length = 0;

  result = exitbox_yaml_set_scalar (edit_case->input, -1, "config.yaml",
                                    (const char * const *) key_path, edit_case->value,
                                    &length, &error);

  if (edit_case->expected == NULL)
    {
      g_assert_null (result);
      g_assert_error (error, G_IO_ERROR, (gint) edit_case->error_code);
      g_assert_true (g_str_has_prefix (error->message, "config.yaml"));
      return;
    }

  g_assert_no_error (error);
  g_assert_cmpstr (result, ==, edit_case->expected);
  g_assert_cmpuint (length, ==, strlen (edit_case->expected));
}

/* The message of a rejected flow mapping names the place and the fix. */
static void
test_yaml_edit_flow_message (void)
{
  const char *key_path[] = { "agents", "codex", "enabled", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *result = NULL;

  result = exitbox_yaml_set_scalar ("version: 1\nagents: {claude: {enabled: true}}\n", -1,
                                    "config.yaml", key_path, "true", NULL, &error);

  g_assert_null (result);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, "config.yaml:2:9"));
  g_assert_nonnull (strstr (error->message, "agents"));
  g_assert_nonnull (strstr (error->message, "one key per line"));
}

/* Bytes that are not UTF-8 fail in libyaml's reader, before any edit. */
static void
test_yaml_edit_not_utf8 (void)
{
  const char *key_path[] = { "a", NULL };
  const char data[] = "a: \xFF\n";
  g_autoptr(GError) error = NULL;
  g_autofree char *result = NULL;

  result = exitbox_yaml_set_scalar (data, sizeof data - 1, "config.yaml", key_path, "b",
                                    NULL, &error);

  g_assert_null (result);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
}

/* One list edit: appending @value to the list under @key of @input (or
 * removing it when @append is FALSE) gives @expected, or fails with
 * @error_code when @expected is NULL.
 */
typedef struct
{
  const char  *name;
  gboolean     append;
  const char  *input;
  const char  *key;
  const char  *value;
  const char  *expected;
  GIOErrorEnum error_code;
} ListEditCase;

#define ALLOWLIST_INPUT \
  "# ExitBox firewall allowlist.\n" \
  "version: 1\n" \
  "\n" \
  "development:\n" \
  "  - github.com  # code\n" \
  "  - pypi.org\n" \
  "\n" \
  "# Your own destinations.\n" \
  "custom:\n" \
  "  - api.example.com\n" \
  "  # - old.example.com\n" \
  "\n" \
  "# The end.\n"

static const ListEditCase list_edit_cases[] = {
  {
    "append-after-last-item", TRUE,
    ALLOWLIST_INPUT, "custom", "example.org",
    "# ExitBox firewall allowlist.\n"
    "version: 1\n"
    "\n"
    "development:\n"
    "  - github.com  # code\n"
    "  - pypi.org\n"
    "\n"
    "# Your own destinations.\n"
    "custom:\n"
    "  - api.example.com\n"
    "  - example.org\n"
    "  # - old.example.com\n"
    "\n"
    "# The end.\n",
  },
  {
    "append-middle-list", TRUE,
    ALLOWLIST_INPUT, "development", "crates.io",
    "# ExitBox firewall allowlist.\n"
    "version: 1\n"
    "\n"
    "development:\n"
    "  - github.com  # code\n"
    "  - pypi.org\n"
    "  - crates.io\n"
    "\n"
    "# Your own destinations.\n"
    "custom:\n"
    "  - api.example.com\n"
    "  # - old.example.com\n"
    "\n"
    "# The end.\n",
  },
  {
    "append-missing-key", TRUE,
    "version: 1\n"
    "development:\n"
    "    - github.com\n"
    "# trailing comment\n",
    "custom", "example.org",
    "version: 1\n"
    "development:\n"
    "    - github.com\n"
    "custom:\n"
    "    - example.org\n"
    "# trailing comment\n",
  },
  {
    "append-missing-key-no-newline", TRUE,
    "version: 1", "custom", "example.org",
    "version: 1\n"
    "custom:\n"
    "  - example.org\n",
  },
  {
    "append-empty-document", TRUE,
    "# only a comment\n", "custom", "example.org",
    "# only a comment\n"
    "custom:\n"
    "  - example.org\n",
  },
  {
    "append-empty-flow-list", TRUE,
    "dev:\n"
    "- github.com\n"
    "custom: []  # yours\n"
    "other: []\n",
    "custom", "example.org",
    "dev:\n"
    "- github.com\n"
    "custom:  # yours\n"
    "- example.org\n"
    "other: []\n",
  },
  {
    "append-null-value", TRUE,
    "custom:\n"
    "other: ~\n",
    "other", "[2001:db8::1]:443",
    "custom:\n"
    "other:\n"
    "  - \"[2001:db8::1]:443\"\n",
  },
  {
    "append-crlf", TRUE,
    "custom:\r\n"
    "  - a.example\r\n",
    "custom", "b.example",
    "custom:\r\n"
    "  - a.example\r\n"
    "  - b.example\r\n",
  },
  {
    "append-multibyte-comment", TRUE,
    "# Zugriff für Agenten ✓\n"
    "custom:\n"
    "  - a.example # für ✓\n"
    "after: 1\n",
    "custom", "b.example",
    "# Zugriff für Agenten ✓\n"
    "custom:\n"
    "  - a.example # für ✓\n"
    "  - b.example\n"
    "after: 1\n",
  },
  {
    "append-host-port-plain", TRUE,
    "custom:\n  - a.example\n", "custom", "b.example:8443",
    "custom:\n  - a.example\n  - b.example:8443\n",
  },
  {
    "append-quotes-colon-space", TRUE,
    "custom:\n  - a.example\n", "custom", "b: c",
    "custom:\n  - a.example\n  - \"b: c\"\n",
  },
  {
    "append-reject-flow-list", TRUE,
    "custom: [a.example]\n", "custom", "b.example",
    NULL, G_IO_ERROR_NOT_SUPPORTED,
  },
  {
    "append-reject-flow-root", TRUE,
    "{version: 1, custom: }\n", "custom", "b.example",
    NULL, G_IO_ERROR_NOT_SUPPORTED,
  },
  {
    "append-reject-mapping", TRUE,
    "custom:\n  a: 1\n", "custom", "b.example",
    NULL, G_IO_ERROR_INVALID_DATA,
  },
  {
    "append-reject-text-value", TRUE,
    "custom: a.example\n", "custom", "b.example",
    NULL, G_IO_ERROR_INVALID_DATA,
  },
  {
    "append-reject-root-list", TRUE,
    "- a\n", "custom", "b.example",
    NULL, G_IO_ERROR_INVALID_DATA,
  },
  {
    "append-reject-syntax-error", TRUE,
    "custom: [unclosed\n", "custom", "b.example",
    NULL, G_IO_ERROR_INVALID_DATA,
  },
  {
    "remove-keeps-comments", FALSE,
    ALLOWLIST_INPUT, "development", "github.com",
    "# ExitBox firewall allowlist.\n"
    "version: 1\n"
    "\n"
    "development:\n"
    "  - pypi.org\n"
    "\n"
    "# Your own destinations.\n"
    "custom:\n"
    "  - api.example.com\n"
    "  # - old.example.com\n"
    "\n"
    "# The end.\n",
  },
  {
    "remove-last-item", FALSE,
    ALLOWLIST_INPUT, "custom", "api.example.com",
    "# ExitBox firewall allowlist.\n"
    "version: 1\n"
    "\n"
    "development:\n"
    "  - github.com  # code\n"
    "  - pypi.org\n"
    "\n"
    "# Your own destinations.\n"
    "custom:\n"
    "  # - old.example.com\n"
    "\n"
    "# The end.\n",
  },
  {
    "remove-every-copy", FALSE,
    "custom:\n"
    "  - a.example\n"
    "  - \"b.example\"\n"
    "  - b.example\n"
    "other:\n"
    "  - b.example\n",
    "custom", "b.example",
    "custom:\n"
    "  - a.example\n"
    "other:\n"
    "  - b.example\n",
  },
  {
    "remove-no-final-newline", FALSE,
    "custom:\n"
    "  - a.example\n"
    "  - b.example",
    "custom", "b.example",
    "custom:\n"
    "  - a.example\n",
  },
  {
    "remove-multibyte-before", FALSE,
    "# ✓ für\n"
    "custom:\n"
    "  - ä.example # ✓\n"
    "  - b.example\n",
    "custom", "b.example",
    "# ✓ für\n"
    "custom:\n"
    "  - ä.example # ✓\n",
  },
  {
    "remove-reject-absent-item", FALSE,
    ALLOWLIST_INPUT, "custom", "github.com",
    NULL, G_IO_ERROR_NOT_FOUND,
  },
  {
    "remove-reject-missing-key", FALSE,
    ALLOWLIST_INPUT, "cloud", "github.com",
    NULL, G_IO_ERROR_NOT_FOUND,
  },
  {
    "remove-reject-alias-item", FALSE,
    "base:\n  - &host a.example\ncustom:\n  - *host\n", "custom", "a.example",
    NULL, G_IO_ERROR_NOT_SUPPORTED,
  },
  {
    "remove-reject-flow-list", FALSE,
    "custom: [a.example, b.example]\n", "custom", "a.example",
    NULL, G_IO_ERROR_NOT_SUPPORTED,
  },
  {
    "remove-reject-shared-line", FALSE,
    "custom: \n  - a.example\n  - b\n    c\n", "custom", "b c",
    NULL, G_IO_ERROR_NOT_SUPPORTED,
  },
};

static void
test_yaml_list_edit_case (gconstpointer user_data)
{
  const ListEditCase *edit_case = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *result = NULL;
  gsize length = 0;

  if (edit_case->append)
    result = exitbox_yaml_append_sequence_item (edit_case->input, -1, "allowlist.yaml",
                                                edit_case->key, edit_case->value,
                                                &length, &error);
  else
    result = exitbox_yaml_remove_sequence_item (edit_case->input, -1, "allowlist.yaml",
                                                edit_case->key, edit_case->value,
                                                &length, &error);

  if (edit_case->expected == NULL)
    {
      g_assert_null (result);
      g_assert_error (error, G_IO_ERROR, (gint) edit_case->error_code);
      g_assert_nonnull (strstr (error->message, "allowlist.yaml"));
      return;
    }

  g_assert_no_error (error);
  g_assert_cmpstr (result, ==, edit_case->expected);
  g_assert_cmpuint (length, ==, strlen (edit_case->expected));
}

/* The message of a rejected flow list names the place, the list and the fix. */
static void
test_yaml_list_flow_message (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *result = NULL;

  result = exitbox_yaml_append_sequence_item ("version: 1\ncustom: [a.example]\n", -1,
                                              "allowlist.yaml", "custom", "b.example",
                                              NULL, &error);

  g_assert_null (result);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, "allowlist.yaml:2:9"));
  g_assert_nonnull (strstr (error->message, "“custom”"));
  g_assert_nonnull (strstr (error->message, "one item per line"));
}

typedef struct
{
  const char *name;
  const char *input;
  const char *value;
  const char *expected;   /* NULL when the edit fails with error_code */
  GIOErrorEnum error_code;
} NestedEditCase;

static const NestedEditCase nested_cases[] = {
  {
    "nested-empty-flow",
    "tools:\n  # Extra packages.\n  user: []   # none yet\nprofiles:\n  - base\n",
    "htop",
    "tools:\n  # Extra packages.\n  user:   # none yet\n    - htop\nprofiles:\n  - base\n",
  },
  {
    "nested-block-list",
    "tools:\n  user:\n  - jq   # json\n\n# Profiles.\nprofiles: [base]\n",
    "htop",
    "tools:\n  user:\n  - jq   # json\n  - htop\n\n# Profiles.\nprofiles: [base]\n",
  },
  {
    "nested-missing-key",
    "tools:\n    other: 1\nversion: 1\n",
    "htop",
    "tools:\n    other: 1\n    user:\n        - htop\nversion: 1\n",
  },
  {
    "nested-missing-parent",
    "version: 1 # first\n",
    "g++",
    "version: 1 # first\ntools:\n  user:\n    - \"g++\"\n",
  },
  {
    "nested-empty-value",
    "tools:\n  user:\nversion: 1\n",
    "htop",
    "tools:\n  user:\n    - htop\nversion: 1\n",
  },
  {
    "nested-reject-flow-list",
    "tools:\n  user: [jq]\n",
    "htop",
    NULL, G_IO_ERROR_NOT_SUPPORTED,
  },
  {
    "nested-reject-flow-parent",
    "tools: {user: [jq]}\n",
    "htop",
    NULL, G_IO_ERROR_NOT_SUPPORTED,
  },
};

static void
test_yaml_nested_edit_case (gconstpointer user_data)
{
  const NestedEditCase *edit_case = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *result = NULL;
  gsize length = 0;

  result = exitbox_yaml_append_nested_sequence_item (edit_case->input, -1, "config.yaml",
                                                     "tools", "user", edit_case->value,
                                                     &length, &error);

  if (edit_case->expected == NULL)
    {
      g_assert_null (result);
      g_assert_error (error, G_IO_ERROR, (gint) edit_case->error_code);
      g_assert_nonnull (strstr (error->message, "config.yaml"));
      return;
    }

  g_assert_no_error (error);
  g_assert_cmpstr (result, ==, edit_case->expected);
  g_assert_cmpuint (length, ==, strlen (edit_case->expected));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (nested_cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("/yaml-edit/%s", nested_cases[i].name);

      g_test_add_data_func (name, &nested_cases[i], test_yaml_nested_edit_case);
    }

  for (guint i = 0; i < G_N_ELEMENTS (edit_cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("/yaml-edit/%s", edit_cases[i].name);

      g_test_add_data_func (name, &edit_cases[i], test_yaml_edit_case);
    }

  for (guint i = 0; i < G_N_ELEMENTS (list_edit_cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("/yaml-edit/%s", list_edit_cases[i].name);

      g_test_add_data_func (name, &list_edit_cases[i], test_yaml_list_edit_case);
    }

  g_test_add_func ("/yaml-edit/flow-message", test_yaml_edit_flow_message);
  g_test_add_func ("/yaml-edit/list-flow-message", test_yaml_list_flow_message);
  g_test_add_func ("/yaml-edit/not-utf8", test_yaml_edit_not_utf8);

  return g_test_run ();
}
