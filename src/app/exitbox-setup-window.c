/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#define G_LOG_DOMAIN "exitbox-setup-window"

#include <string.h>

#include <glib/gi18n.h>

#include "exitbox-setup-window.h"

struct _ExitboxSetupWindow
{
  AdwWindow           parent_instance;

  GtkButton          *cancel_button;
  GtkButton          *back_button;
  GtkButton          *next_button;
  AdwWindowTitle     *window_title;
  AdwToastOverlay    *toast_overlay;
  GtkStack           *pages;

  ExitboxApplication *app;
  ExitboxWizard      *wizard;
  GHashTable         *checks;  /* "KIND:ID" → GtkCheckButton, owned by the pages */
  char               *engine_problem;
  char               *blocked_reason;  /* why a file cannot be loaded, so nothing is saved */
  gboolean            syncing;
  gboolean            saved;
  guint               page;

  AdwActionRow       *review_rows[7];
};

G_DEFINE_FINAL_TYPE (ExitboxSetupWindow, exitbox_setup_window, ADW_TYPE_WINDOW)

enum {
  SAVED,
  CANCELLED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char * const page_names[] = {
  "welcome", "roles", "languages", "tool-categories", "agents", "firewall", "review",
};

enum {
  REVIEW_ROLES,
  REVIEW_LANGUAGES,
  REVIEW_TOOL_CATEGORIES,
  REVIEW_PROFILES,
  REVIEW_AGENTS,
  REVIEW_FIREWALL,
  REVIEW_FILES,
};

static char *
dup_check_key (const char *kind,
               const char *id)
{
  return g_strconcat (kind, ":", id, NULL);
}

GtkCheckButton *
exitbox_setup_window_get_check (ExitboxSetupWindow *self,
                                const char         *kind,
                                const char         *id)
{
  g_autofree char *key = NULL;

  g_return_val_if_fail (EXITBOX_IS_SETUP_WINDOW (self), NULL);

  key = dup_check_key (kind, id);
  return g_hash_table_lookup (self->checks, key);
}

static gboolean
is_checked (ExitboxSetupWindow *self,
            const char         *kind,
            const char         *id)
{
  GtkCheckButton *check = exitbox_setup_window_get_check (self, kind, id);

  return check != NULL && gtk_check_button_get_active (check);
}

static void
set_checked (ExitboxSetupWindow *self,
             const char         *kind,
             const char         *id,
             gboolean            active)
{
  GtkCheckButton *check = exitbox_setup_window_get_check (self, kind, id);

  if (check != NULL)
    gtk_check_button_set_active (check, active);
}

/* Shows the wizard's choices in every check button. */
static void
exitbox_setup_window_sync_checks (ExitboxSetupWindow *self)
{
  ExitboxCatalogue *catalogue = exitbox_wizard_get_catalogue (self->wizard);
  const ExitboxCatalogueKind kinds[] = {
    EXITBOX_CATALOGUE_ROLE, EXITBOX_CATALOGUE_LANGUAGE, EXITBOX_CATALOGUE_TOOL_CATEGORY,
  };
  const char * const kind_names[] = { "roles", "languages", "tool-categories" };
  const ExitboxAgentInfo *agents;
  guint n_agents;
  GHashTableIter iter;
  gpointer key;
  gpointer value;

  self->syncing = TRUE;

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      g_auto(GStrv) ids = exitbox_catalogue_dup_ids (catalogue, kinds[k]);
      const char * const *selected = k == 0 ? exitbox_wizard_get_roles (self->wizard)
                                   : k == 1 ? exitbox_wizard_get_languages (self->wizard)
                                   : exitbox_wizard_get_tool_categories (self->wizard);

      for (guint i = 0; ids[i] != NULL; i++)
        set_checked (self, kind_names[k], ids[i], g_strv_contains (selected, ids[i]));
    }

  agents = exitbox_agent_get_all (&n_agents);
  for (guint i = 0; i < n_agents; i++)
    set_checked (self, "agents", agents[i].id,
                 exitbox_wizard_get_agent_enabled (self->wizard, agents[i].id));

  g_hash_table_iter_init (&iter, self->checks);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      if (g_str_has_prefix (key, "firewall:"))
        gtk_check_button_set_active (value,
                                     exitbox_wizard_get_firewall_entry_enabled (self->wizard,
                                                                                (const char *) key + strlen ("firewall:")));
    }

  self->syncing = FALSE;
}

/* Returns the ids of @kind whose boxes are checked, in catalogue order. */
static GStrv
dup_checked_ids (ExitboxSetupWindow   *self,
                 ExitboxCatalogueKind  kind,
                 const char           *kind_name)
{
  g_auto(GStrv) ids = exitbox_catalogue_dup_ids (exitbox_wizard_get_catalogue (self->wizard),
                                                 kind);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; ids[i] != NULL; i++)
    if (is_checked (self, kind_name, ids[i]))
      g_strv_builder_add (builder, ids[i]);

  return g_strv_builder_end (builder);
}

static void
exitbox_setup_window_show_error (ExitboxSetupWindow *self,
                                 const GError       *error)
{
  AdwToast *toast = adw_toast_new (error->message);

  adw_toast_set_timeout (toast, 0);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
exitbox_setup_window_check_toggled_cb (GtkCheckButton     *check,
                                       ExitboxSetupWindow *self)
{
  const char *kind = g_object_get_data (G_OBJECT (check), "exitbox-kind");
  const char *id = g_object_get_data (G_OBJECT (check), "exitbox-id");
  gboolean active = gtk_check_button_get_active (check);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) ids = NULL;
  gboolean ok = TRUE;

  if (self->syncing)
    return;

  if (g_str_equal (kind, "roles"))
    {
      ids = dup_checked_ids (self, EXITBOX_CATALOGUE_ROLE, kind);
      ok = exitbox_wizard_set_roles (self->wizard, (const char * const *) ids, &error);
    }
  else if (g_str_equal (kind, "languages"))
    {
      ids = dup_checked_ids (self, EXITBOX_CATALOGUE_LANGUAGE, kind);
      ok = exitbox_wizard_set_languages (self->wizard, (const char * const *) ids, &error);
    }
  else if (g_str_equal (kind, "tool-categories"))
    {
      ids = dup_checked_ids (self, EXITBOX_CATALOGUE_TOOL_CATEGORY, kind);
      ok = exitbox_wizard_set_tool_categories (self->wizard, (const char * const *) ids, &error);
    }
  else if (g_str_equal (kind, "agents"))
    ok = exitbox_wizard_set_agent_enabled (self->wizard, id, active, &error);
  else
    ok = exitbox_wizard_set_firewall_entry_enabled (self->wizard, id, active, &error);

  if (!ok)
    exitbox_setup_window_show_error (self, error);

  /* Roles pre-select languages and tool categories. */
  exitbox_setup_window_sync_checks (self);
}

static AdwActionRow *
add_check_row (ExitboxSetupWindow *self,
               GtkWidget          *parent,
               const char         *kind,
               const char         *id,
               const char         *title,
               const char         *subtitle)
{
  AdwActionRow *row = ADW_ACTION_ROW (adw_action_row_new ());
  GtkWidget *check = gtk_check_button_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (row, subtitle);

  gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (check),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  adw_action_row_add_prefix (row, check);
  adw_action_row_set_activatable_widget (row, check);

  g_object_set_data_full (G_OBJECT (check), "exitbox-kind", g_strdup (kind), g_free);
  g_object_set_data_full (G_OBJECT (check), "exitbox-id", g_strdup (id), g_free);
  g_hash_table_insert (self->checks, dup_check_key (kind, id), check);
  g_signal_connect (check, "toggled", G_CALLBACK (exitbox_setup_window_check_toggled_cb), self);

  if (ADW_IS_EXPANDER_ROW (parent))
    adw_expander_row_add_row (ADW_EXPANDER_ROW (parent), GTK_WIDGET (row));
  else
    adw_preferences_group_add (ADW_PREFERENCES_GROUP (parent), GTK_WIDGET (row));

  return row;
}

static AdwPreferencesGroup *
add_page (ExitboxSetupWindow *self,
          const char         *name,
          const char         *title,
          const char         *description)
{
  AdwPreferencesPage *page = ADW_PREFERENCES_PAGE (adw_preferences_page_new ());
  AdwPreferencesGroup *group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());

  adw_preferences_group_set_title (group, title);
  adw_preferences_group_set_description (group, description);
  adw_preferences_page_add (page, group);
  gtk_stack_add_named (self->pages, GTK_WIDGET (page), name);

  return group;
}

static void
add_catalogue_page (ExitboxSetupWindow   *self,
                    ExitboxCatalogueKind  kind,
                    const char           *name,
                    const char           *title,
                    const char           *description)
{
  ExitboxCatalogue *catalogue = exitbox_wizard_get_catalogue (self->wizard);
  g_auto(GStrv) ids = exitbox_catalogue_dup_ids (catalogue, kind);
  AdwPreferencesGroup *group = add_page (self, name, title, description);

  for (guint i = 0; ids[i] != NULL; i++)
    add_check_row (self, GTK_WIDGET (group), name, ids[i],
                   exitbox_catalogue_get_name (catalogue, kind, ids[i]),
                   exitbox_catalogue_get_description (catalogue, kind, ids[i]));
}

static void
add_welcome_page (ExitboxSetupWindow *self)
{
  AdwStatusPage *status = ADW_STATUS_PAGE (adw_status_page_new ());
  const GError *engine_error = exitbox_application_get_engine_error (self->app);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);

  /* The symbolic icon follows the style's colours. */
  adw_status_page_set_icon_name (status, APP_ID "-symbolic");
  adw_status_page_set_title (status, _("Welcome to ExitBox"));
  adw_status_page_set_description (status,
                                   _("ExitBox runs AI coding agents in containers that can "
                                     "reach only the domains you allow. The next pages choose "
                                     "your roles, languages, tools, agents and allowed "
                                     "domains."));

  if (engine_error != NULL)
    {
      GtkWidget *label = gtk_label_new (NULL);

      self->engine_problem = g_strdup (engine_error->message);
      gtk_label_set_text (GTK_LABEL (label), self->engine_problem);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_max_width_chars (GTK_LABEL (label), 60);
      gtk_label_set_selectable (GTK_LABEL (label), TRUE);
      gtk_widget_add_css_class (label, "warning");
      gtk_box_append (GTK_BOX (box), label);
    }

  if (self->blocked_reason != NULL)
    {
      GtkWidget *label = gtk_label_new (self->blocked_reason);

      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_max_width_chars (GTK_LABEL (label), 60);
      gtk_label_set_selectable (GTK_LABEL (label), TRUE);
      gtk_widget_add_css_class (label, "error");
      gtk_box_append (GTK_BOX (box), label);
    }

  adw_status_page_set_child (status, box);
  gtk_stack_add_named (self->pages, GTK_WIDGET (status), "welcome");
}

static void
add_agents_page (ExitboxSetupWindow *self)
{
  AdwPreferencesGroup *group;
  const ExitboxAgentInfo *agents;
  guint n_agents;

  group = add_page (self, "agents", _("Agents"),
                    _("The agents to offer. Each gets its own image, built on first launch."));

  agents = exitbox_agent_get_all (&n_agents);
  for (guint i = 0; i < n_agents; i++)
    {
      g_autofree char *subtitle = NULL;

      if (!agents[i].installable)
        subtitle = g_strdup (_("This version cannot install it yet"));

      add_check_row (self, GTK_WIDGET (group), "agents", agents[i].id,
                     agents[i].display_name, subtitle);
    }
}

static void
add_firewall_page (ExitboxSetupWindow *self)
{
  const char * const *categories = exitbox_wizard_get_firewall_categories (self->wizard);
  AdwPreferencesGroup *group;

  if (exitbox_wizard_get_allowlist_missing (self->wizard))
    group = add_page (self, "firewall", _("Allowed Domains"),
                      _("allowlist.yaml is missing, so every destination is blocked. Setup "
                        "does not recreate it: restore the file, or move config.yaml away too "
                        "and run setup to start over."));
  else
    group = add_page (self, "firewall", _("Allowed Domains"),
                      _("Agents reach only the checked domains. An unchecked domain stays in "
                        "allowlist.yaml, in its “disabled” list."));

  for (guint i = 0; categories[i] != NULL; i++)
    {
      GtkWidget *expander = adw_expander_row_new ();
      guint size = exitbox_wizard_get_firewall_category_size (self->wizard, categories[i]);
      GPtrArray *items = NULL;
      g_autofree char *subtitle = NULL;

      subtitle = g_strdup_printf (ngettext ("%u entry", "%u entries", size), size);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (expander),
                                     exitbox_allowlist_category_get_display_name (categories[i]));
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (expander), FALSE);
      adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (expander), subtitle);
      adw_preferences_group_add (group, expander);

      items = exitbox_allowlist_get_category_items (exitbox_wizard_get_allowlist (self->wizard),
                                                    categories[i]);
      for (guint j = 0; items != NULL && j < items->len; j++)
        {
          ExitboxAllowlistItem *item = g_ptr_array_index (items, j);

          /* An entry listed twice is one entry, so it gets one box. */
          if (item->canonical != NULL &&
              exitbox_setup_window_get_check (self, "firewall", item->canonical) == NULL)
            add_check_row (self, expander, "firewall", item->canonical, item->canonical, NULL);
        }
    }
}

static void
add_review_page (ExitboxSetupWindow *self)
{
  const char *titles[] = {
    [REVIEW_ROLES] = _("Roles"),
    [REVIEW_LANGUAGES] = _("Languages"),
    [REVIEW_TOOL_CATEGORIES] = _("Tool categories"),
    [REVIEW_PROFILES] = _("Development profiles"),
    [REVIEW_AGENTS] = _("Agents"),
    [REVIEW_FIREWALL] = _("Disabled domains"),
    [REVIEW_FILES] = _("Files"),
  };
  AdwPreferencesGroup *group;

  group = add_page (self, "review", _("Review"),
                    _("Save writes these choices. Comments and other keys in the files stay "
                      "as they are."));

  for (guint i = 0; i < G_N_ELEMENTS (titles); i++)
    {
      self->review_rows[i] = ADW_ACTION_ROW (adw_action_row_new ());
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->review_rows[i]), titles[i]);
      adw_preferences_group_add (group, GTK_WIDGET (self->review_rows[i]));
    }
}

static void
set_review_list (ExitboxSetupWindow *self,
                 guint               row,
                 const char * const *items)
{
  g_autofree char *joined = NULL;
  g_autofree char *escaped = NULL;

  if (items == NULL || items[0] == NULL)
    {
      adw_action_row_set_subtitle (self->review_rows[row], _("None"));
      return;
    }

  /* The subtitle is markup, and domains may contain characters such as “&”. */
  joined = g_strjoinv (", ", (char **) items);
  escaped = g_markup_escape_text (joined, -1);
  adw_action_row_set_subtitle (self->review_rows[row], escaped);
}

static void
exitbox_setup_window_update_review (ExitboxSetupWindow *self)
{
  g_autoptr(GPtrArray) agents_on = g_ptr_array_new_null_terminated (0, NULL, TRUE);
  g_autoptr(GPtrArray) disabled = g_ptr_array_new_null_terminated (0, NULL, TRUE);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) profiles = exitbox_wizard_dup_profiles (self->wizard, &error);
  const char *config_dir = exitbox_application_get_config_dir (self->app);
  const ExitboxAgentInfo *agents;
  GHashTableIter iter;
  gpointer key;
  gpointer value;
  guint n_agents;
  g_autofree char *files = NULL;
  g_autofree char *escaped = NULL;

  agents = exitbox_agent_get_all (&n_agents);
  for (guint i = 0; i < n_agents; i++)
    if (exitbox_wizard_get_agent_enabled (self->wizard, agents[i].id))
      g_ptr_array_add (agents_on, (gpointer) agents[i].display_name);

  g_hash_table_iter_init (&iter, self->checks);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (g_str_has_prefix (key, "firewall:") && !gtk_check_button_get_active (value))
      g_ptr_array_add (disabled, (char *) key + strlen ("firewall:"));
  g_ptr_array_sort (disabled, (GCompareFunc) g_strcmp0);

  set_review_list (self, REVIEW_ROLES, exitbox_wizard_get_roles (self->wizard));
  set_review_list (self, REVIEW_LANGUAGES, exitbox_wizard_get_languages (self->wizard));
  set_review_list (self, REVIEW_TOOL_CATEGORIES, exitbox_wizard_get_tool_categories (self->wizard));
  set_review_list (self, REVIEW_PROFILES, (const char * const *) profiles);
  set_review_list (self, REVIEW_AGENTS, (const char * const *) agents_on->pdata);
  set_review_list (self, REVIEW_FIREWALL, (const char * const *) disabled->pdata);

  files = g_strdup_printf (_("config.yaml and allowlist.yaml in %s"), config_dir);
  escaped = g_markup_escape_text (files, -1);
  adw_action_row_set_subtitle (self->review_rows[REVIEW_FILES], escaped);

  if (profiles == NULL)
    exitbox_setup_window_show_error (self, error);
}

const char *
exitbox_setup_window_get_page (ExitboxSetupWindow *self)
{
  g_return_val_if_fail (EXITBOX_IS_SETUP_WINDOW (self), NULL);

  return page_names[self->page];
}

const char *
exitbox_setup_window_get_engine_problem (ExitboxSetupWindow *self)
{
  g_return_val_if_fail (EXITBOX_IS_SETUP_WINDOW (self), NULL);

  return self->engine_problem;
}

static void
exitbox_setup_window_show_page (ExitboxSetupWindow *self,
                                guint               page)
{
  gboolean last = page == G_N_ELEMENTS (page_names) - 1;
  g_autofree char *subtitle = NULL;

  self->page = page;

  if (last)
    exitbox_setup_window_update_review (self);

  gtk_stack_set_visible_child_name (self->pages, page_names[page]);
  gtk_widget_set_sensitive (GTK_WIDGET (self->back_button), page > 0);
  gtk_button_set_label (self->next_button, last ? _("_Save") : _("_Next"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->next_button), self->blocked_reason == NULL);

  /* TRANSLATORS: the first value is the page number, the second the number of pages */
  subtitle = g_strdup_printf (_("Step %u of %u"), page + 1, (guint) G_N_ELEMENTS (page_names));
  adw_window_title_set_subtitle (self->window_title, subtitle);
}

static void
exitbox_setup_window_save (ExitboxSetupWindow *self)
{
  g_autoptr(GError) error = NULL;

  if (!exitbox_wizard_apply (self->wizard, exitbox_application_get_config_dir (self->app),
                             &error))
    {
      exitbox_setup_window_show_error (self, error);
      return;
    }

  self->saved = TRUE;
  g_signal_emit (self, signals[SAVED], 0);
  gtk_window_close (GTK_WINDOW (self));
}

void
exitbox_setup_window_go_next (ExitboxSetupWindow *self)
{
  g_return_if_fail (EXITBOX_IS_SETUP_WINDOW (self));

  if (self->blocked_reason != NULL)
    return;

  if (self->page + 1 < G_N_ELEMENTS (page_names))
    exitbox_setup_window_show_page (self, self->page + 1);
  else
    exitbox_setup_window_save (self);
}

void
exitbox_setup_window_go_back (ExitboxSetupWindow *self)
{
  g_return_if_fail (EXITBOX_IS_SETUP_WINDOW (self));

  if (self->page > 0)
    exitbox_setup_window_show_page (self, self->page - 1);
}

static void
exitbox_setup_window_next_clicked_cb (ExitboxSetupWindow *self)
{
  exitbox_setup_window_go_next (self);
}

static void
exitbox_setup_window_back_clicked_cb (ExitboxSetupWindow *self)
{
  exitbox_setup_window_go_back (self);
}

static void
exitbox_setup_window_cancel_clicked_cb (ExitboxSetupWindow *self)
{
  gtk_window_close (GTK_WINDOW (self));
}

static gboolean
exitbox_setup_window_close_request (GtkWindow *window)
{
  ExitboxSetupWindow *self = EXITBOX_SETUP_WINDOW (window);

  if (!self->saved)
    g_signal_emit (self, signals[CANCELLED], 0);

  return GTK_WINDOW_CLASS (exitbox_setup_window_parent_class)->close_request (window);
}

/* Starts from the files when they exist, so that a re-run changes only what
 * the user changes. A file that fails to load blocks saving, so that it is
 * never overwritten.
 */
static void
exitbox_setup_window_load (ExitboxSetupWindow *self)
{
  const char *config_dir = exitbox_application_get_config_dir (self->app);
  g_autofree char *config_path = g_build_filename (config_dir, "config.yaml", NULL);
  g_autofree char *allowlist_path = g_build_filename (config_dir, "allowlist.yaml", NULL);
  g_autoptr(ExitboxCatalogue) catalogue = NULL;
  g_autoptr(ExitboxConfig) config = NULL;
  g_autoptr(GError) error = NULL;

  catalogue = exitbox_catalogue_load_default (&error);
  g_assert_no_error (error);

  if (g_file_test (config_path, G_FILE_TEST_EXISTS))
    {
      config = exitbox_config_load_file (config_path, &error);
      if (config == NULL)
        {
          g_message ("Setup cannot save because %s failed to load: %s", config_path,
                     error->message);
          self->blocked_reason = g_strdup (error->message);
          g_clear_error (&error);
        }
    }

  self->wizard = exitbox_wizard_new (catalogue, config);

  /* On a re-run, a missing allowlist stays missing: it blocks everything. */
  if (config != NULL && !g_file_test (allowlist_path, G_FILE_TEST_EXISTS))
    exitbox_wizard_set_allowlist (self->wizard, NULL);
  else if (g_file_test (allowlist_path, G_FILE_TEST_EXISTS))
    {
      g_autoptr(ExitboxAllowlist) allowlist = exitbox_allowlist_load_file (allowlist_path);

      if (exitbox_allowlist_get_status (allowlist) == EXITBOX_ALLOWLIST_STATUS_INVALID)
        {
          g_message ("Setup cannot save because %s failed to load: %s", allowlist_path,
                     exitbox_allowlist_get_problem (allowlist));
          if (self->blocked_reason == NULL)
            self->blocked_reason = g_strdup (exitbox_allowlist_get_problem (allowlist));
        }
      else
        exitbox_wizard_set_allowlist (self->wizard, allowlist);
    }
}

static void
exitbox_setup_window_dispose (GObject *object)
{
  ExitboxSetupWindow *self = EXITBOX_SETUP_WINDOW (object);

  g_clear_object (&self->app);
  g_clear_object (&self->wizard);
  g_clear_pointer (&self->checks, g_hash_table_unref);
  g_clear_pointer (&self->engine_problem, g_free);
  g_clear_pointer (&self->blocked_reason, g_free);

  G_OBJECT_CLASS (exitbox_setup_window_parent_class)->dispose (object);
}

static void
exitbox_setup_window_class_init (ExitboxSetupWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = exitbox_setup_window_dispose;
  window_class->close_request = exitbox_setup_window_close_request;

  signals[SAVED] = g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[CANCELLED] = g_signal_new ("cancelled", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  exitbox_desktop_ensure_resources ();
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/exitbox/ExitBox/ui/exitbox-setup-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ExitboxSetupWindow, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, ExitboxSetupWindow, back_button);
  gtk_widget_class_bind_template_child (widget_class, ExitboxSetupWindow, next_button);
  gtk_widget_class_bind_template_child (widget_class, ExitboxSetupWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, ExitboxSetupWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, ExitboxSetupWindow, pages);
  gtk_widget_class_bind_template_callback (widget_class, exitbox_setup_window_next_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, exitbox_setup_window_back_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, exitbox_setup_window_cancel_clicked_cb);
}

static void
exitbox_setup_window_init (ExitboxSetupWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->checks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

ExitboxSetupWindow *
exitbox_setup_window_new (ExitboxApplication *app,
                          GtkWindow          *parent)
{
  ExitboxSetupWindow *self;

  g_return_val_if_fail (EXITBOX_IS_APPLICATION (app), NULL);
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);

  self = g_object_new (EXITBOX_TYPE_SETUP_WINDOW,
                       "application", app,
                       "transient-for", parent,
                       NULL);
  self->app = g_object_ref (app);

  exitbox_setup_window_load (self);

  add_welcome_page (self);
  add_catalogue_page (self, EXITBOX_CATALOGUE_ROLE, "roles", _("Roles"),
                      _("Your roles pre-select the languages and tools that suit them."));
  add_catalogue_page (self, EXITBOX_CATALOGUE_LANGUAGE, "languages", _("Languages"),
                      _("Each language adds a development profile to the project images."));
  add_catalogue_page (self, EXITBOX_CATALOGUE_TOOL_CATEGORY, "tool-categories",
                      _("Tool Categories"),
                      _("Each category adds a development profile with its tools."));
  add_agents_page (self);
  add_firewall_page (self);
  add_review_page (self);

  exitbox_setup_window_sync_checks (self);
  exitbox_setup_window_show_page (self, 0);

  return self;
}
