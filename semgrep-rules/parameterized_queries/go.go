package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	sq "github.com/Masterminds/squirrel"
	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jmoiron/sqlx"
	"gorm.io/gorm"
)

const getAuthor = `-- name: GetAuthor :one
SELECT id, name, bio FROM authors
WHERE id = $1 LIMIT 1
`

type Queries struct{ db *sql.DB }

// ---------------------------------------------------------------- evidence

func (q *Queries) GetAuthor(ctx context.Context, id int64) (Author, error) {
	// ruleid: vibeward.go.parameterized_queries.sql-bound-args
	row := q.db.QueryRowContext(ctx, getAuthor, id)
	var i Author
	err := row.Scan(&i.ID, &i.Name, &i.Bio)
	return i, err
}

func getUserByEmail(db *sql.DB, email string) (*User, error) {
	var u User
	// ruleid: vibeward.go.parameterized_queries.sql-bound-args
	err := db.QueryRow("SELECT id, email FROM users WHERE email = ?", email).Scan(&u.ID, &u.Email)
	return &u, err
}

func insertUser(ctx context.Context, db *sql.DB, u *User) error {
	query := `INSERT INTO users (name, email) VALUES ($1, $2)`
	// ruleid: vibeward.go.parameterized_queries.sql-bound-args
	_, err := db.ExecContext(ctx, query, u.Name, u.Email)
	return err
}

func pgxFind(ctx context.Context, pool *pgxpool.Pool, id string) error {
	var name string
	// ruleid: vibeward.go.parameterized_queries.sql-bound-args
	return pool.QueryRow(ctx, "select name from accounts where id=$1", id).Scan(&name)
}

func (r *ArticleRepo) fetch(ctx context.Context, query string, args ...interface{}) (*sql.Rows, error) {
	// ruleid: vibeward.go.parameterized_queries.sql-bound-args
	return r.conn.QueryContext(ctx, query, args...)
}

func listAll(db *sql.DB) (*sql.Rows, error) {
	// ok: vibeward.go.parameterized_queries.sql-bound-args
	return db.Query("SELECT id FROM users")
}

func prepared(db *sql.DB) (*sql.Stmt, error) {
	// ruleid: vibeward.go.parameterized_queries.prepared-statement
	return db.Prepare("UPDATE users SET name = ? WHERE id = ?")
}

func sqlxGet(db *sqlx.DB, id int) (User, error) {
	var u User
	// ruleid: vibeward.go.parameterized_queries.sqlx-bound-args
	err := db.Get(&u, "SELECT * FROM users WHERE id = $1", id)
	return u, err
}

func sqlxNamed(db *sqlx.DB, u *User) error {
	// ruleid: vibeward.go.parameterized_queries.sqlx-bound-args
	_, err := db.NamedExec(`INSERT INTO users (name, email) VALUES (:name, :email)`, u)
	return err
}

func (r *UserRepo) FindByEmail(email string) (*User, error) {
	var user User
	// ruleid: vibeward.go.parameterized_queries.gorm-bound-args
	if err := r.db.Where("email = ?", email).First(&user).Error; err != nil {
		return nil, err
	}
	return &user, nil
}

func (r *UserRepo) FindByName(name string) ([]User, error) {
	var users []User
	// ruleid: vibeward.go.parameterized_queries.gorm-bound-args
	err := r.db.Where(&User{Name: name}).Find(&users).Error
	return users, err
}

func squirrelQuery(id int) (string, []interface{}, error) {
	// ruleid: vibeward.go.parameterized_queries.query-builder
	return sq.Select("id", "name").From("users").Where(sq.Eq{"id": id}).ToSql()
}

// --------------------------------------------------------------- violations

func searchSprintf(db *sql.DB, username string) (*sql.Rows, error) {
	query := fmt.Sprintf("SELECT id, email FROM users WHERE username = '%s'", username)
	// ruleid: vibeward.go.parameterized_queries.sql-string-building
	return db.Query(query)
}

func loginConcat(db *sql.DB, name, pass string) *sql.Row {
	// ruleid: vibeward.go.parameterized_queries.sql-string-building
	return db.QueryRow("SELECT id FROM users WHERE name = '" + name + "' AND password = '" + pass + "'")
}

func deleteCtx(ctx context.Context, db *sql.DB, id string) error {
	// ruleid: vibeward.go.parameterized_queries.sql-string-building
	_, err := db.ExecContext(ctx, fmt.Sprintf("DELETE FROM sessions WHERE token = %s", id))
	return err
}

func filterBuilt(ctx context.Context, pool *pgxpool.Pool, status string) error {
	q := "SELECT id FROM orders WHERE 1=1"
	if status != "" {
		q += " AND status = '" + status + "'"
	}
	// ruleid: vibeward.go.parameterized_queries.sql-string-building
	rows, err := pool.Query(ctx, q)
	defer rows.Close()
	return err
}

func gormRaw(db *gorm.DB, name string) {
	var users []User
	// ruleid: vibeward.go.parameterized_queries.sql-string-building
	db.Raw(fmt.Sprintf("SELECT * FROM users WHERE name LIKE '%%%s%%'", name)).Scan(&users)
	// ruleid: vibeward.go.parameterized_queries.sql-string-building
	db.Where(fmt.Sprintf("name = '%s'", name)).Find(&users)
}

func listSorted(c *gin.Context, db *gorm.DB) {
	var users []User
	// ruleid: vibeward.go.parameterized_queries.gorm-order-from-request
	db.Order(c.Query("sort")).Find(&users)
	sortBy := c.DefaultQuery("sort_by", "id")
	// ruleid: vibeward.go.parameterized_queries.gorm-order-from-request
	db.Order(sortBy).Find(&users)
}

// ------------------------------------------------------------- near misses

func tableName(ctx context.Context, db *sql.DB, table string, id int) error {
	// identifier interpolation with a bound value
	// ok: vibeward.go.parameterized_queries.sql-string-building
	_, err := db.ExecContext(ctx, fmt.Sprintf("DELETE FROM %s WHERE id = $1", table), id)
	return err
}

func inList(db *sql.DB, ids []int) (*sql.Rows, error) {
	placeholders := make([]string, len(ids))
	args := make([]interface{}, len(ids))
	for i, id := range ids {
		placeholders[i] = "?"
		args[i] = id
	}
	query := fmt.Sprintf("SELECT id FROM users WHERE id IN (%s)", strings.Join(placeholders, ","))
	// ok: vibeward.go.parameterized_queries.sql-string-building
	// ruleid: vibeward.go.parameterized_queries.sql-bound-args
	return db.Query(query, args...)
}

func numbered(ctx context.Context, pool *pgxpool.Pool, name string) error {
	args := []any{}
	query := "SELECT id FROM users WHERE 1=1"
	if name != "" {
		args = append(args, name)
		query += fmt.Sprintf(" AND name = $%d", len(args))
	}
	// ok: vibeward.go.parameterized_queries.sql-string-building
	// ruleid: vibeward.go.parameterized_queries.sql-bound-args
	_, err := pool.Exec(ctx, query, args...)
	return err
}

func likeParam(db *sql.DB, term string) (*sql.Rows, error) {
	pattern := fmt.Sprintf("%%%s%%", term)
	// ok: vibeward.go.parameterized_queries.sql-string-building
	// ruleid: vibeward.go.parameterized_queries.sql-bound-args
	return db.Query("SELECT id FROM posts WHERE title LIKE ?", pattern)
}

func intConcat(db *sql.DB, id int) *sql.Row {
	// ok: vibeward.go.parameterized_queries.sql-string-building
	return db.QueryRow("SELECT name FROM users WHERE id = " + strconv.Itoa(id))
}

func constConcat(db *sql.DB) *sql.Row {
	// ok: vibeward.go.parameterized_queries.sql-string-building
	return db.QueryRow("SELECT name FROM users WHERE role = " + "'admin'")
}

func sortAllowList(c *gin.Context, db *gorm.DB) {
	var users []User
	sort := c.Query("sort")
	switch sort {
	case "name", "created_at":
	default:
		sort = "id"
	}
	// ok: vibeward.go.parameterized_queries.gorm-order-from-request
	db.Order(sort).Find(&users)
}

func redirect(w http.ResponseWriter, r *http.Request, next string) {
	http.Redirect(w, r, "/login?next="+next, http.StatusFound)
}
