-- The PostgreSQL role and database interview-coach keeps its store in (docs/deploy.md).
-- Run it once as the database superuser; it asks for the role's password unless given:
--
--   sudo -u postgres psql -f deploy/postgres-setup.sql
--   sudo -u postgres psql -v password='…' -f deploy/postgres-setup.sql
--
-- The bot then creates and upgrades its own tables (migrations/postgres/) as the owner of
-- this database: the role needs no other rights. The test cluster (.ci/postgres) is set
-- up by this same file.
\set ON_ERROR_STOP on
\if :{?password}
\else
\prompt 'Password for the interview_coach role: ' password
\endif
CREATE ROLE interview_coach LOGIN PASSWORD :'password';
CREATE DATABASE interview_coach OWNER interview_coach ENCODING 'UTF8' TEMPLATE template0;
