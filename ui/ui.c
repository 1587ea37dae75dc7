/*
 * ui.c: the dashboard's entry point. (The ncurses views arrive with the
 * dashboard work; until then a terminal gets the headless console.)
 */
#include "config.h"

#include "headless.h"
#include "ui.h"

int
ui_run(struct app *app)
{
    return headless_run(app);
}
