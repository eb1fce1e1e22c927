# The ingest alone as an image: its module and its runtime dependencies (Vert.x, kafka-clients,
# Caffeine, Prometheus, picocli); no Flink, no RocksDB, no launcher. Used by docker-compose.yml;
# IngestDockerfileTest (ingest) keeps the entrypoint and what is copied in step with the module.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
# install into the build stage's own ~/.m2, so the second call resolves schemas, core and kafka-io.
RUN ./mvnw -B -ntp -DskipTests -pl ingest -am install \
 && ./mvnw -B -ntp -q -pl ingest dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=/out/lib \
 && cp ingest/target/ingest-*.jar /out/lib/

FROM eclipse-temurin:17-jre
COPY --from=build /out /opt/redpacket
EXPOSE 8080
ENTRYPOINT ["java", "-XX:+UseG1GC", "-Xmx1g", "-cp", "/opt/redpacket/lib/*", "io.redpacket.ingest.IngestMain"]
CMD ["--help"]
