package com.example.repository;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Select;
import org.apache.ibatis.annotations.Update;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.query.Param;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

// ruleid: vibeward.java.parameterized_queries.spring-data-repository
public interface UserRepository extends JpaRepository<User, Long>, JpaSpecificationExecutor<User> {

    Optional<User> findByEmail(String email);

    // ruleid: vibeward.java.parameterized_queries.jpa-query-parameters
    @Query("select u from User u where u.email = :email and u.active = true")
    Optional<User> findActive(@Param("email") String email);

    // ruleid: vibeward.java.parameterized_queries.jpa-query-parameters
    @Query(value = "SELECT * FROM users WHERE last_name = ?1", nativeQuery = true)
    List<User> findByLastName(String lastName);

    // ok: vibeward.java.parameterized_queries.jpa-query-parameters
    @Query("select count(u) from User u")
    long countAll();
}

// ok: vibeward.java.parameterized_queries.spring-data-repository
interface AuditSink extends Consumer<AuditEvent> {
}

@Mapper
interface OrderMapper {
    // ruleid: vibeward.java.parameterized_queries.mybatis-bind-parameters
    @Select("SELECT * FROM orders WHERE id = #{id}")
    Order findById(@Param("id") long id);

    // ok: vibeward.java.parameterized_queries.mybatis-bind-parameters
    // ruleid: vibeward.java.parameterized_queries.mybatis-dollar-substitution
    @Select("SELECT * FROM orders WHERE customer = #{customer} ORDER BY ${sortColumn}")
    List<Order> findByCustomer(@Param("customer") String customer, @Param("sortColumn") String sortColumn);

    // ruleid: vibeward.java.parameterized_queries.mybatis-dollar-substitution
    @Update({"<script>", "UPDATE orders SET status = '${status}'", "WHERE id = #{id}", "</script>"})
    int updateStatus(@Param("id") long id, @Param("status") String status);
}

@Repository
class JdbcUserDao {
    private static final String FIND_BY_NAME = "SELECT id, name FROM users WHERE name = ?";
    private final JdbcTemplate jdbcTemplate;
    private final NamedParameterJdbcTemplate namedJdbc;
    private final DataSource dataSource;

    @PersistenceContext
    private EntityManager entityManager;

    User findSafe(Connection conn, String name) throws SQLException {
        // ruleid: vibeward.java.parameterized_queries.prepared-statement
        PreparedStatement ps = conn.prepareStatement("SELECT id, name FROM users WHERE name = ?");
        ps.setString(1, name);
        ResultSet rs = ps.executeQuery();
        return map(rs);
    }

    User findSafeConstant(Connection conn, String name) throws SQLException {
        // ruleid: vibeward.java.parameterized_queries.prepared-statement
        try (PreparedStatement ps = conn.prepareStatement(FIND_BY_NAME)) {
            ps.setString(1, name);
            return map(ps.executeQuery());
        }
    }

    User findUnsafe(Connection conn, String name) throws SQLException {
        Statement stmt = conn.createStatement();
        // ruleid: vibeward.java.parameterized_queries.sql-built-from-strings
        ResultSet rs = stmt.executeQuery("SELECT id, name FROM users WHERE name = '" + name + "'");
        return map(rs);
    }

    User findUnsafeVariable(Connection conn, String name) throws SQLException {
        String sql = "SELECT id, name FROM users WHERE name = '" + name + "'";
        Statement stmt = conn.createStatement();
        // ruleid: vibeward.java.parameterized_queries.sql-built-from-strings
        return map(stmt.executeQuery(sql));
    }

    int countConstant(Connection conn) throws SQLException {
        String sql = "SELECT count(*) FROM " + "users" + " WHERE active = 1";
        // ok: vibeward.java.parameterized_queries.sql-built-from-strings
        return count(conn.createStatement().executeQuery(sql));
    }

    List<User> fromOtherClassConstant(long id) {
        // ok: vibeward.java.parameterized_queries.sql-built-from-strings
        return jdbcTemplate.query("SELECT * FROM " + Tables.USERS + " WHERE id = ?", mapper, id);
    }

    List<User> page(int limit, int offset) {
        // ok: vibeward.java.parameterized_queries.sql-built-from-strings
        return jdbcTemplate.query("SELECT * FROM users ORDER BY id LIMIT " + limit + " OFFSET " + offset, mapper);
    }

    List<User> byName(String name) {
        // ruleid: vibeward.java.parameterized_queries.jdbc-template-bind-parameters
        return jdbcTemplate.query("SELECT * FROM users WHERE name = ?", mapper, name);
    }

    List<User> byNameNamed(String name) {
        // ruleid: vibeward.java.parameterized_queries.named-parameter-source
        MapSqlParameterSource params = new MapSqlParameterSource("name", name);
        // ruleid: vibeward.java.parameterized_queries.jdbc-template-bind-parameters
        return namedJdbc.query("SELECT * FROM users WHERE name = :name", params, mapper);
    }

    List<User> byNameUnsafe(String name) {
        // ruleid: vibeward.java.parameterized_queries.sql-built-from-strings
        return jdbcTemplate.query("SELECT * FROM users WHERE name = '" + name + "'", mapper);
    }

    int rename(long id, String name) {
        // ruleid: vibeward.java.parameterized_queries.sql-built-from-strings
        return jdbcTemplate.update(String.format("UPDATE users SET name = '%s' WHERE id = %d", name, id));
    }

    List<User> search(String sort) {
        StringBuilder sql = new StringBuilder("SELECT * FROM users WHERE active = 1");
        sql.append(" ORDER BY ");
        sql.append(sort);
        // ruleid: vibeward.java.parameterized_queries.sql-built-from-strings
        return jdbcTemplate.query(sql.toString(), mapper);
    }

    List<Map<String, Object>> dynamicFilter(String tableName, Map<String, Object> criteria) {
        StringBuilder sql = new StringBuilder("SELECT * FROM ").append(tableName).append(" WHERE 1=1 ");
        List<Object> params = new ArrayList<>();
        criteria.forEach((column, value) -> {
            sql.append(" AND ").append(column).append(" = ?");
            params.add(value);
        });
        // ruleid: vibeward.java.parameterized_queries.sql-built-from-strings
        return jdbcTemplate.queryForList(sql.toString(), params.toArray());
    }

    List<Map<String, Object>> chainedAppend(Map<String, Object> criteria) {
        StringBuilder sql = new StringBuilder("SELECT * FROM users WHERE 1=1");
        criteria.forEach((column, value) -> sql.append(" AND ").append(column).append(" = ?"));
        // ruleid: vibeward.java.parameterized_queries.sql-built-from-strings
        return jdbcTemplate.queryForList(sql.toString(), criteria.values().toArray());
    }

    List<Map<String, Object>> onlyPlaceholders(boolean active) {
        StringBuilder sql = new StringBuilder("SELECT * FROM users WHERE 1=1");
        sql.append(" AND active = ?").append(" AND deleted = ?");
        // ok: vibeward.java.parameterized_queries.sql-built-from-strings
        return jdbcTemplate.queryForList(sql.toString(), active, false);
    }

    List<User> inClause(List<Long> ids) {
        String placeholders = String.join(",", Collections.nCopies(ids.size(), "?"));
        // ok: vibeward.java.parameterized_queries.sql-built-from-strings
        return jdbcTemplate.query("SELECT * FROM users WHERE id IN (" + String.join(",", Collections.nCopies(ids.size(), "?")) + ")", mapper, ids.toArray());
    }

    List<User> jpqlSafe(String email) {
        // ruleid: vibeward.java.parameterized_queries.jpa-set-parameter
        return entityManager.createQuery("select u from User u where u.email = :email", User.class)
            .setParameter("email", email)
            .getResultList();
    }

    List<User> jpqlUnsafe(String email) {
        // ruleid: vibeward.java.parameterized_queries.sql-built-from-strings
        return entityManager.createQuery("select u from User u where u.email = '" + email + "'", User.class)
            .getResultList();
    }

    List<Object[]> nativeUnsafe(String table, String id) {
        String q = "SELECT * FROM " + table;
        q += " WHERE id = " + id;
        // ruleid: vibeward.java.parameterized_queries.sql-built-from-strings
        return entityManager.createNativeQuery(q).getResultList();
    }

    List<User> criteria(String email) {
        // ruleid: vibeward.java.parameterized_queries.criteria-api
        CriteriaBuilder cb = entityManager.getCriteriaBuilder();
        CriteriaQuery<User> cq = cb.createQuery(User.class);
        Root<User> root = cq.from(User.class);
        cq.where(cb.equal(root.get("email"), email));
        return entityManager.createQuery(cq).getResultList();
    }

    String remote(RestTemplate restTemplate, String id) {
        // ok: vibeward.java.parameterized_queries.sql-built-from-strings
        return restTemplate.execute(baseUrl + "/users?from=" + id + "&where=" + id, HttpMethod.GET, null, extractor);
    }

    void log(String name) {
        // ok: vibeward.java.parameterized_queries.sql-built-from-strings
        logger.info("select from where name = " + name);
    }
}
