/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#pragma once

#include <yaml.h>
#include <glib.h>
