"""The database keeps every reporting path in step with the manager links.

Access decisions read `reporting_path`, so it must never disagree with
`manager_id`, whoever writes the row: a model save, `QuerySet.update`,
`bulk_create`, `bulk_update`, loaddata, a shell, an import or raw SQL.
Triggers on PostgreSQL and SQLite recompute a person's path when they are
inserted or their manager changes, move everyone below them along, and
refuse a manager that would close a circle. Nobody else writes the path: a
value written from outside is put back (PostgreSQL) or recomputed (SQLite).

On PostgreSQL two transactions must not each move part of the tree on a
view the other is changing (a stale path, or a circle made of two moves
each fine alone). A move reads the new manager's row FOR SHARE and locks
the people it moves before moving them, so moves that touch the same
people wait for each other, and nothing else does: a save that leaves the
manager alone takes no lock. Under REPEATABLE READ or SERIALIZABLE a
conflicting move fails with a serialization error instead. SQLite writes
one transaction at a time anyway.

The triggers work row by row, so a statement that moves several people is
refused as a loop if, at the moment one row is applied, its new manager is
still below it; moving people top-down never does that (the import moves
them in that order).

Descendants are found by a range on the path ("/1/7/" < path < "/1/70", '0'
being the character after '/'), which both databases answer from the
index on reporting_path.
"""

from django.db import migrations

CIRCLE = "people_user_reporting_line_circle"

POSTGRESQL = f"""
CREATE FUNCTION people_user_reporting_path_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- Depth 1 is a statement from outside; the functions below write at depth 2.
    IF pg_trigger_depth() = 1 THEN
        IF TG_OP = 'UPDATE' THEN
            NEW.reporting_path := OLD.reporting_path;
        ELSE
            NEW.reporting_path := '';
        END IF;
    END IF;
    RETURN NEW;
END;
$$;

CREATE FUNCTION people_user_reporting_path_move(person bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    manager bigint;
    manager_path varchar;
    old_path varchar;
    new_path varchar;
BEGIN
    SELECT manager_id, reporting_path INTO manager, old_path FROM people_user WHERE id = person;
    IF manager IS NOT NULL THEN
        -- Locked: a move of the manager (or of anyone above) in another
        -- transaction finishes before this reads the path, or waits for it.
        -- Empty while the manager waits for its own trigger in this statement.
        SELECT nullif(reporting_path, '') INTO manager_path FROM people_user WHERE id = manager FOR SHARE;
        IF manager = person OR strpos(manager_path, '/' || person || '/') > 0 THEN
            RAISE EXCEPTION USING
                ERRCODE = 'check_violation',
                MESSAGE = '{CIRCLE}',
                DETAIL = 'Person ' || person || ' cannot report to person ' || manager || '.';
        END IF;
    END IF;
    new_path := coalesce(manager_path, '/') || person || '/';
    IF old_path = new_path THEN
        RETURN;
    END IF;
    IF old_path <> '' THEN
        -- Lock everyone who moves first, then move them in a statement of its
        -- own: reports another transaction added under any of them meanwhile
        -- have committed by then, and move too.
        PERFORM 1 FROM people_user
          WHERE reporting_path ~>~ old_path AND reporting_path ~<~ (left(old_path, -1) || '0')
          FOR UPDATE;
        UPDATE people_user
           SET reporting_path = new_path || substr(reporting_path, length(old_path) + 1)
         WHERE reporting_path ~>~ old_path
           AND reporting_path ~<~ (left(old_path, -1) || '0');
    END IF;
    UPDATE people_user SET reporting_path = new_path WHERE id = person;
END;
$$;

CREATE FUNCTION people_user_reporting_path_sync() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    report bigint;
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.manager_id IS NOT DISTINCT FROM NEW.manager_id THEN
        RETURN NULL;  -- a save that leaves the manager alone takes no lock
    END IF;
    PERFORM people_user_reporting_path_move(NEW.id);
    IF TG_OP = 'INSERT' THEN
        -- Reports saved before their manager (in the same statement, or
        -- earlier: foreign keys are checked at commit) move under it now.
        FOR report IN SELECT id FROM people_user WHERE manager_id = NEW.id AND id <> NEW.id LOOP
            PERFORM people_user_reporting_path_move(report);
        END LOOP;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER people_user_reporting_path_guard
BEFORE INSERT OR UPDATE OF reporting_path ON people_user
FOR EACH ROW EXECUTE FUNCTION people_user_reporting_path_guard();

CREATE TRIGGER people_user_reporting_path
AFTER INSERT OR UPDATE OF manager_id ON people_user
FOR EACH ROW EXECUTE FUNCTION people_user_reporting_path_sync();
"""

POSTGRESQL_REVERSE = """
DROP TRIGGER IF EXISTS people_user_reporting_path ON people_user;
DROP TRIGGER IF EXISTS people_user_reporting_path_guard ON people_user;
DROP FUNCTION IF EXISTS people_user_reporting_path_sync();
DROP FUNCTION IF EXISTS people_user_reporting_path_move(bigint);
DROP FUNCTION IF EXISTS people_user_reporting_path_guard();
"""

# SQLite fires a row's triggers as soon as the row is written, and OLD is
# the row as it stood just before: its true path, whatever the statement
# wrote into the column (a value that does not end in the person's own id,
# as an inserted one may not, is not a path and moves nobody). SQLite triggers have no variables; the manager's
# path is read by a subquery on a row the statements below never write.
# Recursive triggers are off (SQLite's default), so the trigger's own
# writes of reporting_path do not fire it again.
_MANAGER_PATH = (
    "COALESCE(NULLIF((SELECT m.reporting_path FROM people_user AS m WHERE m.id = NEW.manager_id), ''), '/')"
)
_NEW_PATH = f"{_MANAGER_PATH} || NEW.id || '/'"

SQLITE = [
    f"""
    CREATE TRIGGER people_user_reporting_path_insert
    AFTER INSERT ON people_user
    BEGIN
        SELECT RAISE(ABORT, '{CIRCLE}') WHERE NEW.manager_id = NEW.id;
        UPDATE people_user SET reporting_path = {_NEW_PATH} WHERE id = NEW.id;
        UPDATE people_user SET manager_id = manager_id WHERE manager_id = NEW.id AND id <> NEW.id;
    END
    """,
    f"""
    CREATE TRIGGER people_user_reporting_path_update
    AFTER UPDATE OF manager_id, reporting_path ON people_user
    BEGIN
        SELECT RAISE(ABORT, '{CIRCLE}')
         WHERE NEW.manager_id IS NOT NULL
           AND (NEW.manager_id = NEW.id OR instr({_MANAGER_PATH}, '/' || NEW.id || '/') > 0);
        UPDATE people_user
           SET reporting_path = {_NEW_PATH} || substr(reporting_path, length(OLD.reporting_path) + 1)
         WHERE OLD.reporting_path LIKE '%/' || NEW.id || '/'
           AND OLD.reporting_path <> {_NEW_PATH}
           AND reporting_path > OLD.reporting_path
           AND reporting_path < substr(OLD.reporting_path, 1, length(OLD.reporting_path) - 1) || '0';
        UPDATE people_user SET reporting_path = {_NEW_PATH}
         WHERE id = NEW.id AND reporting_path IS NOT {_NEW_PATH};
    END
    """,
]

SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS people_user_reporting_path_insert",
    "DROP TRIGGER IF EXISTS people_user_reporting_path_update",
]


def _rebuild_paths(User) -> None:
    """Paths from the manager links as they stand, before the triggers take over."""
    managers = dict(User.objects.values_list("pk", "manager_id"))
    paths: dict[int, str] = {}
    for pk in managers:
        chain: list[int] = []
        node = pk
        while node is not None and node not in paths:
            if node in chain:
                loop = " → ".join(str(member) for member in chain[chain.index(node) :] + [node])
                raise RuntimeError(
                    f"The reporting line loops through people {loop}; give one of them another manager first."
                )
            chain.append(node)
            node = managers.get(node)
        prefix = paths.get(node, "/")
        for member in reversed(chain):
            prefix = f"{prefix}{member}/"
            paths[member] = prefix
    for pk, path in paths.items():
        User.objects.filter(pk=pk).update(reporting_path=path)


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        raise RuntimeError("Trellis runs on PostgreSQL or SQLite.")
    _rebuild_paths(apps.get_model("people", "User"))
    statements = [POSTGRESQL] if vendor == "postgresql" else SQLITE
    for statement in statements:
        schema_editor.execute(statement)


def uninstall(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = [POSTGRESQL_REVERSE] if vendor == "postgresql" else SQLITE_REVERSE
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]

    operations = [migrations.RunPython(install, uninstall)]
