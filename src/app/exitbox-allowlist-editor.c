/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#define G_LOG_DOMAIN "exitbox-allowlist-editor"

#include <glib/gi18n.h>

#include "exitbox-allowlist-editor.h"
#include "exitbox-application.h"

struct _ExitboxAllowlistEditor
{
  AdwPreferencesPage   parent_instance;

  AdwEntryRow         *entry_row;
  AdwComboRow         *category_row;
  GtkLabel            *entry_problem_label;
  GtkLabel            *result_label;
  AdwPreferencesGroup *destinations_group;
  AdwPreferencesGroup *entries_group;
  GtkSearchEntry      *filter_entry;

  char                *path;
  ExitboxAllowlist    *allowlist;
  GtkStringList       *categories;   /* display names, in the order of category_ids */
  GStrv                category_ids;
  GPtrArray           *expanders;   /* AdwExpanderRow, one per category */
  GHashTable          *rows;        /* "CATEGORY\nTEXT" → AdwActionRow */
  char                *entry_problem;
  gboolean             rebuilding;
};

G_DEFINE_FINAL_TYPE (ExitboxAllowlistEditor, exitbox_allowlist_editor, ADW_TYPE_PREFERENCES_PAGE)

enum {
  MESSAGE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static char *
dup_row_key (const char *category,
             const char *text)
{
  return g_strconcat (category, "\n", text, NULL);
}

GtkWidget *
exitbox_allowlist_editor_get_row (ExitboxAllowlistEditor *self,
                                  const char             *category,
                                  const char             *text)
{
  g_autofree char *key = NULL;

  g_return_val_if_fail (EXITBOX_IS_ALLOWLIST_EDITOR (self), NULL);

  key = dup_row_key (category, text);
  return g_hash_table_lookup (self->rows, key);
}

GtkCheckButton *
exitbox_allowlist_editor_get_check (ExitboxAllowlistEditor *self,
                                    const char             *category,
                                    const char             *text)
{
  GtkWidget *row = exitbox_allowlist_editor_get_row (self, category, text);

  return row != NULL ? g_object_get_data (G_OBJECT (row), "exitbox-check") : NULL;
}

GtkButton *
exitbox_allowlist_editor_get_remove (ExitboxAllowlistEditor *self,
                                     const char             *category,
                                     const char             *text)
{
  GtkWidget *row = exitbox_allowlist_editor_get_row (self, category, text);

  return row != NULL ? g_object_get_data (G_OBJECT (row), "exitbox-remove") : NULL;
}

AdwEntryRow *
exitbox_allowlist_editor_get_entry_row (ExitboxAllowlistEditor *self)
{
  g_return_val_if_fail (EXITBOX_IS_ALLOWLIST_EDITOR (self), NULL);

  return self->entry_row;
}

const char *
exitbox_allowlist_editor_get_entry_problem (ExitboxAllowlistEditor *self)
{
  g_return_val_if_fail (EXITBOX_IS_ALLOWLIST_EDITOR (self), NULL);

  return self->entry_problem;
}

const char *
exitbox_allowlist_editor_get_result (ExitboxAllowlistEditor *self,
                                     gboolean               *out_is_error)
{
  g_return_val_if_fail (EXITBOX_IS_ALLOWLIST_EDITOR (self), NULL);

  if (out_is_error != NULL)
    *out_is_error = gtk_widget_has_css_class (GTK_WIDGET (self->result_label), "error");

  if (!gtk_widget_get_visible (GTK_WIDGET (self->result_label)))
    return NULL;

  return gtk_label_get_text (self->result_label);
}

/* Shows the whole message of the last change under the entry row, with
 * the error style when @is_error. NULL hides it.
 */
static void
show_result (ExitboxAllowlistEditor *self,
             const char             *message,
             gboolean                is_error)
{
  gtk_label_set_text (self->result_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->result_label), message != NULL);

  if (is_error)
    gtk_widget_add_css_class (GTK_WIDGET (self->result_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->result_label), "error");
}

/* Shows @error on the rebuilt row of @text in every category that lists
 * it, or under the entry row when no row shows it.
 */
static void
show_row_error (ExitboxAllowlistEditor *self,
                const char             *text,
                const GError           *error)
{
  gboolean found_row = FALSE;

  g_message ("Failed to change %s: %s", self->path, error->message);

  for (guint i = 0; self->category_ids[i] != NULL; i++)
    {
      GtkWidget *row = exitbox_allowlist_editor_get_row (self, self->category_ids[i], text);

      if (row == NULL)
        continue;

      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), error->message);
      gtk_widget_add_css_class (row, "error");
      found_row = TRUE;
    }

  if (!found_row)
    show_result (self, error->message, TRUE);
}

static void
exitbox_allowlist_editor_check_toggled_cb (GtkCheckButton         *check,
                                           ExitboxAllowlistEditor *self)
{
  g_autofree char *text = g_strdup (g_object_get_data (G_OBJECT (check), "exitbox-text"));
  gboolean disabled = !gtk_check_button_get_active (check);
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *confirmation = NULL;

  if (self->rebuilding)
    return;

  message = exitbox_allowlist_set_disabled_in_file (self->path, text, disabled, &error);
  exitbox_allowlist_editor_reload (self);

  if (message == NULL)
    {
      show_row_error (self, text, error);
      return;
    }

  /* The core's message names the file, which makes it too long for a toast. */
  confirmation = g_strdup_printf (disabled ? _("Disabled %s") : _("Enabled %s"), text);
  g_signal_emit (self, signals[MESSAGE], 0, confirmation);
}

static void
exitbox_allowlist_editor_remove_clicked_cb (GtkButton              *button,
                                            ExitboxAllowlistEditor *self)
{
  g_autofree char *text = g_strdup (g_object_get_data (G_OBJECT (button), "exitbox-text"));
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *confirmation = NULL;

  message = exitbox_allowlist_remove_entry_in_file (self->path, text, &error);
  exitbox_allowlist_editor_reload (self);

  if (message == NULL)
    {
      show_row_error (self, text, error);
      return;
    }

  confirmation = g_strdup_printf (_("Removed %s"), text);
  g_signal_emit (self, signals[MESSAGE], 0, confirmation);
}

static gboolean
matches_filter (const char *text,
                const char *filter)
{
  g_autofree char *folded = NULL;

  if (filter == NULL || filter[0] == '\0')
    return TRUE;

  folded = g_utf8_casefold (text, -1);
  return strstr (folded, filter) != NULL;
}

/* Hides the rows that do not contain the filter text, and the categories
 * left empty. A filter expands the categories so that matches are seen.
 */
static void
exitbox_allowlist_editor_apply_filter (ExitboxAllowlistEditor *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->filter_entry));
  g_autofree char *filter = g_utf8_casefold (text, -1);
  GHashTableIter iter;
  gpointer key;
  gpointer value;

  for (guint i = 0; i < self->expanders->len; i++)
    g_object_set_data (g_ptr_array_index (self->expanders, i), "exitbox-matches",
                       GINT_TO_POINTER (FALSE));

  g_hash_table_iter_init (&iter, self->rows);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const char *row_text = g_object_get_data (G_OBJECT (value), "exitbox-text");
      GObject *expander = g_object_get_data (G_OBJECT (value), "exitbox-expander");
      gboolean visible = matches_filter (row_text, filter);

      gtk_widget_set_visible (value, visible);
      if (visible)
        g_object_set_data (expander, "exitbox-matches", GINT_TO_POINTER (TRUE));
    }

  for (guint i = 0; i < self->expanders->len; i++)
    {
      GtkWidget *expander = g_ptr_array_index (self->expanders, i);
      gboolean matches = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (expander),
                                                             "exitbox-matches"));

      gtk_widget_set_visible (expander, filter[0] == '\0' || matches);
      if (filter[0] != '\0' && matches)
        adw_expander_row_set_expanded (ADW_EXPANDER_ROW (expander), TRUE);
    }
}

void
exitbox_allowlist_editor_set_filter (ExitboxAllowlistEditor *self,
                                     const char             *text)
{
  g_return_if_fail (EXITBOX_IS_ALLOWLIST_EDITOR (self));

  gtk_editable_set_text (GTK_EDITABLE (self->filter_entry), text);
  exitbox_allowlist_editor_apply_filter (self);
}

static void
exitbox_allowlist_editor_filter_changed_cb (ExitboxAllowlistEditor *self)
{
  exitbox_allowlist_editor_apply_filter (self);
}

static GtkWidget *
create_item_row (ExitboxAllowlistEditor *self,
                 GtkWidget              *expander,
                 const char             *category,
                 ExitboxAllowlistItem   *item)
{
  AdwActionRow *row = ADW_ACTION_ROW (adw_action_row_new ());
  GtkWidget *check = gtk_check_button_new ();
  GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");
  g_autofree char *remove_label = g_strdup_printf (_("Remove %s"), item->text);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), item->text);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);

  gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  item->text, -1);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (check), !item->disabled);
  adw_action_row_add_prefix (row, check);

  if (item->canonical == NULL)
    {
      /* The core skips invalid entries; the file keeps them for the user to fix. */
      gtk_widget_set_sensitive (check, FALSE);
      gtk_check_button_set_active (GTK_CHECK_BUTTON (check), FALSE);
      adw_action_row_set_subtitle (row, _("Invalid, so it is not allowed"));
    }
  else
    adw_action_row_set_activatable_widget (row, check);

  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (remove, "flat");
  gtk_widget_set_tooltip_text (remove, remove_label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  remove_label, -1);
  adw_action_row_add_suffix (row, remove);

  g_object_set_data_full (G_OBJECT (check), "exitbox-text", g_strdup (item->text), g_free);
  g_object_set_data_full (G_OBJECT (remove), "exitbox-text", g_strdup (item->text), g_free);
  g_object_set_data_full (G_OBJECT (row), "exitbox-text", g_strdup (item->text), g_free);
  g_object_set_data (G_OBJECT (row), "exitbox-check", check);
  g_object_set_data (G_OBJECT (row), "exitbox-remove", remove);
  g_object_set_data (G_OBJECT (row), "exitbox-expander", expander);

  g_signal_connect (check, "toggled", G_CALLBACK (exitbox_allowlist_editor_check_toggled_cb),
                    self);
  g_signal_connect (remove, "clicked", G_CALLBACK (exitbox_allowlist_editor_remove_clicked_cb),
                    self);

  g_hash_table_insert (self->rows, dup_row_key (category, item->text), row);
  return GTK_WIDGET (row);
}

static void
exitbox_allowlist_editor_clear_rows (ExitboxAllowlistEditor *self)
{
  for (guint i = 0; i < self->expanders->len; i++)
    adw_preferences_group_remove (self->entries_group, g_ptr_array_index (self->expanders, i));

  g_ptr_array_set_size (self->expanders, 0);
  g_hash_table_remove_all (self->rows);
}

/* The category name in the file of the selected item, or NULL. */
static const char *
get_selected_category (ExitboxAllowlistEditor *self)
{
  guint position = adw_combo_row_get_selected (self->category_row);

  if (self->category_ids == NULL || position >= g_strv_length (self->category_ids))
    return NULL;

  return self->category_ids[position];
}

/* Offers "custom" first and keeps the chosen category across rebuilds. The
 * combo row shows display names, and category_ids contains the names in the
 * file at the same positions.
 */
static void
exitbox_allowlist_editor_update_categories (ExitboxAllowlistEditor *self)
{
  const char * const *names = exitbox_allowlist_get_categories (self->allowlist);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GPtrArray) display_names = g_ptr_array_new ();
  g_autofree char *chosen = NULL;
  guint position = 0;

  chosen = g_strdup (get_selected_category (self) != NULL ? get_selected_category (self)
                                                          : EXITBOX_ALLOWLIST_DEFAULT_CATEGORY);

  g_strv_builder_add (builder, EXITBOX_ALLOWLIST_DEFAULT_CATEGORY);
  for (guint i = 0; names[i] != NULL; i++)
    if (!g_str_equal (names[i], EXITBOX_ALLOWLIST_DEFAULT_CATEGORY))
      g_strv_builder_add (builder, names[i]);
  g_strfreev (self->category_ids);
  self->category_ids = g_strv_builder_end (builder);

  for (guint i = 0; self->category_ids[i] != NULL; i++)
    g_ptr_array_add (display_names,
                     (gpointer) exitbox_allowlist_category_get_display_name (self->category_ids[i]));
  g_ptr_array_add (display_names, NULL);

  gtk_string_list_splice (self->categories, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->categories)),
                          (const char * const *) display_names->pdata);

  for (guint i = 0; self->category_ids[i] != NULL; i++)
    if (g_str_equal (self->category_ids[i], chosen))
      position = i;
  adw_combo_row_set_selected (self->category_row, position);
}

void
exitbox_allowlist_editor_set_category (ExitboxAllowlistEditor *self,
                                       const char             *category)
{
  g_return_if_fail (EXITBOX_IS_ALLOWLIST_EDITOR (self));

  for (guint i = 0; self->category_ids != NULL && self->category_ids[i] != NULL; i++)
    {
      if (g_str_equal (self->category_ids[i], category))
        {
          adw_combo_row_set_selected (self->category_row, i);
          return;
        }
    }
}

void
exitbox_allowlist_editor_reload (ExitboxAllowlistEditor *self)
{
  const char * const *categories;
  const char *problem;

  g_return_if_fail (EXITBOX_IS_ALLOWLIST_EDITOR (self));

  self->rebuilding = TRUE;

  g_clear_object (&self->allowlist);
  self->allowlist = exitbox_allowlist_load_file (self->path);
  exitbox_allowlist_editor_clear_rows (self);

  /* A file that cannot be read is shown, not edited. */
  problem = exitbox_allowlist_get_problem (self->allowlist);
  gtk_widget_set_sensitive (GTK_WIDGET (self->entry_row),
                            exitbox_allowlist_get_status (self->allowlist) != EXITBOX_ALLOWLIST_STATUS_INVALID &&
                            exitbox_allowlist_get_status (self->allowlist) != EXITBOX_ALLOWLIST_STATUS_MISSING);
  if (problem != NULL)
    adw_preferences_group_set_description (self->destinations_group, problem);
  else
    adw_preferences_group_set_description (self->destinations_group,
                                           _("Agents reach only the checked entries. An "
                                             "unchecked entry stays in allowlist.yaml, in its "
                                             "“disabled” list."));

  categories = exitbox_allowlist_get_categories (self->allowlist);
  for (guint i = 0; categories[i] != NULL; i++)
    {
      GtkWidget *expander = adw_expander_row_new ();
      GPtrArray *items = exitbox_allowlist_get_category_items (self->allowlist, categories[i]);
      guint n_enabled = 0;
      g_autofree char *subtitle = NULL;

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (expander),
                                     exitbox_allowlist_category_get_display_name (categories[i]));
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (expander), FALSE);

      for (guint j = 0; j < items->len; j++)
        {
          ExitboxAllowlistItem *item = g_ptr_array_index (items, j);

          if (item->canonical != NULL && !item->disabled)
            n_enabled++;
          adw_expander_row_add_row (ADW_EXPANDER_ROW (expander),
                                    create_item_row (self, expander, categories[i], item));
        }

      /* TRANSLATORS: the first value counts the allowed entries of a category */
      subtitle = g_strdup_printf (ngettext ("%u of %u entry allowed", "%u of %u entries allowed",
                                            items->len),
                                  n_enabled, items->len);
      adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (expander), subtitle);

      adw_preferences_group_add (self->entries_group, expander);
      g_ptr_array_add (self->expanders, expander);
    }

  exitbox_allowlist_editor_update_categories (self);
  exitbox_allowlist_editor_apply_filter (self);

  self->rebuilding = FALSE;
}

/* Shows why the typed text is rejected, using the core's grammar. */
static void
exitbox_allowlist_editor_entry_changed_cb (ExitboxAllowlistEditor *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->entry_row));
  g_autoptr(ExitboxAllowlistEntry) entry = NULL;
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&self->entry_problem, g_free);

  /* New text makes the result of the last addition out of date. */
  if (text[0] != '\0')
    show_result (self, NULL, FALSE);

  if (text[0] != '\0')
    {
      entry = exitbox_allowlist_entry_parse (text, &error);
      if (entry == NULL)
        self->entry_problem = g_strdup (error->message);
    }

  gtk_label_set_text (self->entry_problem_label,
                      self->entry_problem != NULL ? self->entry_problem : "");
  gtk_widget_set_visible (GTK_WIDGET (self->entry_problem_label), self->entry_problem != NULL);

  if (self->entry_problem != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->entry_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->entry_row), "error");
}

static void
exitbox_allowlist_editor_entry_apply_cb (ExitboxAllowlistEditor *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->entry_row));
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (text[0] == '\0')
    return;

  message = exitbox_allowlist_add_entry_in_file (self->path, text, get_selected_category (self),
                                                 &error);

  /* Adding a disabled entry means allowing it again, as ticking its box does. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS))
    {
      g_clear_error (&error);
      message = exitbox_allowlist_set_disabled_in_file (self->path, text, FALSE, &error);
    }

  /* The message can be long, such as the notice about a URL, so it shows
   * in full under the entry row and not in a toast.
   */
  if (error != NULL)
    g_message ("Failed to change %s: %s", self->path, error->message);
  show_result (self, error != NULL ? error->message : message, error != NULL);

  /* A rejected entry stays in the row so that the user can correct it. */
  if (message != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->entry_row), "");

  exitbox_allowlist_editor_reload (self);
}

static void
exitbox_allowlist_editor_dispose (GObject *object)
{
  ExitboxAllowlistEditor *self = EXITBOX_ALLOWLIST_EDITOR (object);

  g_clear_pointer (&self->path, g_free);
  g_clear_object (&self->allowlist);
  g_clear_object (&self->categories);
  g_clear_pointer (&self->category_ids, g_strfreev);
  g_clear_pointer (&self->expanders, g_ptr_array_unref);
  g_clear_pointer (&self->rows, g_hash_table_unref);
  g_clear_pointer (&self->entry_problem, g_free);

  G_OBJECT_CLASS (exitbox_allowlist_editor_parent_class)->dispose (object);
}

static void
exitbox_allowlist_editor_class_init (ExitboxAllowlistEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = exitbox_allowlist_editor_dispose;

  /**
   * ExitboxAllowlistEditor::message:
   * @text: a one-line confirmation, for a toast
   *
   * Emitted after an entry is enabled, disabled or removed. Errors and the
   * result of adding an entry show in the page instead.
   */
  signals[MESSAGE] = g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  exitbox_desktop_ensure_resources ();
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/exitbox/ExitBox/ui/exitbox-allowlist-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, ExitboxAllowlistEditor, entry_row);
  gtk_widget_class_bind_template_child (widget_class, ExitboxAllowlistEditor, category_row);
  gtk_widget_class_bind_template_child (widget_class, ExitboxAllowlistEditor, entry_problem_label);
  gtk_widget_class_bind_template_child (widget_class, ExitboxAllowlistEditor, result_label);
  gtk_widget_class_bind_template_child (widget_class, ExitboxAllowlistEditor, destinations_group);
  gtk_widget_class_bind_template_child (widget_class, ExitboxAllowlistEditor, entries_group);
  gtk_widget_class_bind_template_child (widget_class, ExitboxAllowlistEditor, filter_entry);
  gtk_widget_class_bind_template_callback (widget_class, exitbox_allowlist_editor_entry_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, exitbox_allowlist_editor_entry_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, exitbox_allowlist_editor_filter_changed_cb);
}

static void
exitbox_allowlist_editor_init (ExitboxAllowlistEditor *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->categories = gtk_string_list_new (NULL);
  adw_combo_row_set_model (self->category_row, G_LIST_MODEL (self->categories));
  self->expanders = g_ptr_array_new ();
  self->rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

ExitboxAllowlistEditor *
exitbox_allowlist_editor_new (const char *path)
{
  ExitboxAllowlistEditor *self;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (EXITBOX_TYPE_ALLOWLIST_EDITOR, NULL);
  self->path = g_strdup (path);
  exitbox_allowlist_editor_reload (self);

  return self;
}
