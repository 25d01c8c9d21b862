# opsagent's container image: built from the sources with Maven, run as an unprivileged user with a
# JRE and the jar only. Build and start it with scripts/docker-run; see docs/deployment.md.

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
# dependencies first, so a change to the sources reuses this layer
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src src
RUN mvn -B -q -DskipTests package

FROM eclipse-temurin:17-jre
RUN groupadd --system --gid 10001 opsagent \
 && useradd --system --uid 10001 --gid opsagent --home-dir /var/lib/opsagent --shell /usr/sbin/nologin opsagent \
 && mkdir -p /opt/opsagent /var/lib/opsagent \
 && chown opsagent:opsagent /var/lib/opsagent
COPY --from=build /src/target/opsagent.jar /opt/opsagent/opsagent.jar
USER 10001:10001
# the embedded database (when OPSAGENT_DB_URL is unset) lives under ./data: a volume here keeps it
WORKDIR /var/lib/opsagent
ENV OPSAGENT_HTTP_PORT=8080
EXPOSE 8080
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/opt/opsagent/opsagent.jar"]
CMD ["worker"]
