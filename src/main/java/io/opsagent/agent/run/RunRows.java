package io.opsagent.agent.run;

import io.opsagent.Wire;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.Type;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.generic.GenericType;
import org.jdbi.v3.core.generic.GenericTypes;
import org.jdbi.v3.core.mapper.ColumnMapper;
import org.jdbi.v3.core.mapper.ColumnMapperFactory;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;
import org.jdbi.v3.core.qualifier.QualifiedType;
import org.jdbi.v3.core.qualifier.Qualifier;
import org.jdbi.v3.core.spi.JdbiPlugin;

/**
 * How Jdbi reads an {@code ops_agent_runs} row: into {@link OpsRun} through its constructor (each
 * column matched to the component of the same name in camelCase), enums by their {@link Wire} name,
 * {@code request_ids} as the comma-separated list it stores. Installed once per {@link Jdbi} by
 * whoever reads runs (installing it again is a no-op); then {@code mapTo(OpsRun.class)}.
 */
public final class RunRows extends JdbiPlugin.Singleton {

  /** A column holding a list of ids joined by commas (empty or null for none). */
  @Qualifier
  @Retention(RetentionPolicy.RUNTIME)
  @Target({ElementType.PARAMETER, ElementType.FIELD, ElementType.METHOD, ElementType.RECORD_COMPONENT})
  public @interface CommaSeparated {}

  private static final QualifiedType<List<String>> IDS =
      QualifiedType.of(new GenericType<List<String>>() {}).with(CommaSeparated.class);

  @Override
  public void customizeJdbi(Jdbi jdbi) {
    jdbi.registerColumnMapper(new WireColumns());
    jdbi.registerColumnMapper(IDS, (rs, column, ctx) -> ids(rs.getString(column)));
    jdbi.registerRowMapper(ConstructorMapper.factory(OpsRun.class));
  }

  private static List<String> ids(String joined) {
    return joined == null || joined.isEmpty() ? List.of() : List.of(joined.split(","));
  }

  /** Any {@link Wire} enum column, read by its wire name (null stays null). */
  private static final class WireColumns implements ColumnMapperFactory {
    @Override
    public Optional<ColumnMapper<?>> build(Type type, org.jdbi.v3.core.config.ConfigRegistry config) {
      Class<?> raw = GenericTypes.getErasedType(type);
      if (!raw.isEnum() || !Wire.class.isAssignableFrom(raw)) {
        return Optional.empty();
      }
      return Optional.of((rs, column, ctx) -> {
        String value = rs.getString(column);
        if (value == null) {
          return null;
        }
        for (Object constant : raw.getEnumConstants()) {
          if (((Wire) constant).wire().equals(value)) {
            return constant;
          }
        }
        throw new IllegalArgumentException("unknown " + raw.getSimpleName() + " '" + value + "'");
      });
    }
  }
}
