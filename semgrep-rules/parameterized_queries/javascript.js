// Test target for semgrep-rules/parameterized_queries/javascript.yml (parsed only, never run).
const { Pool } = require('pg');
const { Sequelize, QueryTypes } = require('sequelize');
const knex = require('knex')({ client: 'pg' });
const { PrismaClient, Prisma } = require('@prisma/client');
const { sql } = require('slonik');

const pool = new Pool();
const prisma = new PrismaClient();
const sequelize = new Sequelize(process.env.DATABASE_URL);

const FIND_USER = 'SELECT * FROM users WHERE id = $1';

// ---------------------------------------------------------------- bound parameters

async function getUser(req, res) {
  // ruleid: vibeward.javascript.parameterized_queries.bound-params
  const { rows } = await pool.query('SELECT * FROM users WHERE id = $1', [req.params.id]);
  res.json(rows[0]);
}

async function getUserConst(id) {
  // ruleid: vibeward.javascript.parameterized_queries.bound-params
  return pool.query(FIND_USER, [id]);
}

async function getUserMysql(conn, email) {
  const query = 'SELECT id FROM accounts WHERE email = ? AND active = 1';
  // ruleid: vibeward.javascript.parameterized_queries.bound-params
  const [rows] = await conn.execute(query, [email]);
  return rows;
}

function getUserCallback(db, id, cb) {
  // ruleid: vibeward.javascript.parameterized_queries.bound-params
  db.query(`SELECT * FROM "Users" WHERE id = $1`, [id], (err, result) => cb(err, result));
}

async function pgConfigObject(client, name) {
  // ruleid: vibeward.javascript.parameterized_queries.bound-params
  return client.query({ text: 'INSERT INTO tags(name) VALUES($1)', values: [name] });
}

async function knexRaw(term) {
  // ruleid: vibeward.javascript.parameterized_queries.bound-params
  return knex.raw('SELECT * FROM products WHERE name ILIKE ?', [`%${term}%`]);
}

async function typeormBuilder(repo, id) {
  const qb = repo.createQueryBuilder('user');
  // ruleid: vibeward.javascript.parameterized_queries.bound-params
  return qb.where('user.id = :id', { id }).getOne();
}

async function listAll(cb) {
  // ok: vibeward.javascript.parameterized_queries.bound-params
  pool.query('SELECT * FROM users ORDER BY id ASC', (error, results) => cb(results));
}

async function sequelizeReplacements(req) {
  // ruleid: vibeward.javascript.parameterized_queries.sequelize-replacements
  return sequelize.query('SELECT * FROM projects WHERE status = :status', {
    replacements: { status: req.query.status },
    type: QueryTypes.SELECT,
  });
}

async function sequelizeBind(id) {
  // ruleid: vibeward.javascript.parameterized_queries.sequelize-replacements
  return sequelize.query('SELECT * FROM projects WHERE id = $1', { bind: [id] });
}

// ---------------------------------------------------------------- tagged templates

async function prismaRaw(email) {
  // ruleid: vibeward.javascript.parameterized_queries.tagged-sql-template
  return prisma.$queryRaw`SELECT * FROM "User" WHERE email = ${email}`;
}

function prismaFragment(ids) {
  // ruleid: vibeward.javascript.parameterized_queries.tagged-sql-template
  return Prisma.sql`WHERE id IN (${Prisma.join(ids)})`;
}

async function slonikQuery(connection, id) {
  // ruleid: vibeward.javascript.parameterized_queries.tagged-sql-template
  return connection.query(sql`SELECT * FROM foo WHERE id = ${id}`);
}

// ---------------------------------------------------------------- ORM / builders

async function prismaFind(req) {
  // ruleid: vibeward.javascript.parameterized_queries.orm-query-builder
  return prisma.user.findMany({ where: { email: req.query.email } });
}

async function sequelizeFind(Project, title) {
  // ruleid: vibeward.javascript.parameterized_queries.orm-query-builder
  return Project.findAll({ where: { title } });
}

async function knexWhere(id) {
  // ruleid: vibeward.javascript.parameterized_queries.orm-query-builder
  return knex('users').where({ id }).first();
}

async function mongooseFind(User, req) {
  // ruleid: vibeward.javascript.parameterized_queries.orm-query-builder
  return User.findOne({ email: req.body.email });
}

function arrayFind(items, id) {
  // ok: vibeward.javascript.parameterized_queries.orm-query-builder
  return items.find((item) => item.id === id);
}

// ---------------------------------------------------------------- violations

async function templateQuery(req) {
  // ruleid: vibeward.javascript.parameterized_queries.sql-string-building
  return pool.query(`SELECT * FROM users WHERE name = '${req.query.name}'`);
}

async function concatQuery(db, id) {
  // ruleid: vibeward.javascript.parameterized_queries.sql-string-building
  return db.query('SELECT * FROM orders WHERE id = ' + id);
}

async function builtFirst(req) {
  const q = `DELETE FROM sessions WHERE user_id = ${req.params.id}`;
  // ruleid: vibeward.javascript.parameterized_queries.sql-string-building
  await sequelize.query(q);
}

async function prismaUnsafe(name) {
  // ruleid: vibeward.javascript.parameterized_queries.sql-string-building
  return prisma.$queryRawUnsafe(`SELECT * FROM "User" WHERE name = '${name}'`);
}

async function knexRawTemplate(col) {
  // ruleid: vibeward.javascript.parameterized_queries.sql-string-building
  return knex('users').whereRaw(`name = '${col}' limit 1`);
}

async function prismaUnsafeWithParams(id) {
  // ok: vibeward.javascript.parameterized_queries.sql-string-building
  return prisma.$queryRawUnsafe('SELECT * FROM "User" WHERE id = $1', id);
}

async function taggedIsFine(connection, id) {
  // ok: vibeward.javascript.parameterized_queries.sql-string-building
  // ruleid: vibeward.javascript.parameterized_queries.tagged-sql-template
  return connection.query(sql`SELECT * FROM foo WHERE id = ${id}`);
}

async function notSql(client, id) {
  // ok: vibeward.javascript.parameterized_queries.sql-string-building
  return client.query(`user-${id}`);
}

function mongoWhere(User, req) {
  // ruleid: vibeward.javascript.parameterized_queries.mongo-where-string-building
  return User.find({ $where: "this.owner == '" + req.query.owner + "'" });
}

function mongoWhereStatic(User) {
  // ok: vibeward.javascript.parameterized_queries.mongo-where-string-building
  // ok: vibeward.javascript.parameterized_queries.orm-query-builder
  return User.find({ $where: 'this.credits > this.debits' });
}
