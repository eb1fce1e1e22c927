package io.redpacket.launcher;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The modules depend one way: schemas <- core <- kafka-io <- jobs, ingest, simulator <- bench,
 * cluster <- launcher. The enforcer checks the Maven dependencies of each module; this checks the
 * classes of the production code, which the launcher's test classpath holds all of.
 */
class ModuleLayersTest {
  static JavaClasses production;

  @BeforeAll
  static void importProductionClasses() {
    production =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.redpacket");
  }

  @Test
  void theIngestUsesOnlySchemasCoreAndKafkaIo() {
    classes()
        .that()
        .resideInAnyPackage("io.redpacket.ingest..", "io.redpacket.live..")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage(
            "java..",
            "javax..",
            "io.redpacket.ingest..",
            "io.redpacket.live..",
            "io.redpacket.avro..",
            "io.redpacket.codec..",
            "io.redpacket.core..",
            "io.redpacket.kafka..",
            "io.vertx..",
            "io.netty..",
            "org.apache.kafka..",
            "com.github.benmanes.caffeine..",
            "io.prometheus..",
            "org.slf4j..",
            "picocli..",
            "com.fasterxml.jackson..",
            "org.apache.avro..")
        .check(production);
  }

  @Test
  void coreHoldsRulesWithoutFlinkKafkaOrHttp() {
    noClasses()
        .that()
        .resideInAnyPackage("io.redpacket.core..", "io.redpacket.codec..", "io.redpacket.avro..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.apache.flink..", "org.apache.kafka..", "io.vertx..", "io.redpacket.kafka..",
            "io.redpacket.jobs..", "io.redpacket.ingest..", "io.redpacket.simulator..")
        .check(production);
  }

  @Test
  void kafkaIoHasNoFlinkAndNothingAboveIt() {
    noClasses()
        .that()
        .resideInAPackage("io.redpacket.kafka..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.apache.flink..", "io.redpacket.jobs..", "io.redpacket.ingest..",
            "io.redpacket.simulator..", "io.redpacket.stack..", "io.redpacket.launcher..")
        .check(production);
  }

  @Test
  void productionCodeBelowTheToolsNeverUsesTheSimulatorOrTheLocalBroker() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "io.redpacket.jobs..", "io.redpacket.ingest..", "io.redpacket.live..",
            "io.redpacket.kafka..", "io.redpacket.core..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.redpacket.simulator..", "io.redpacket.stack..")
        .check(production);
  }

  @Test
  void theSqlFormatUsesOnlyTheSchemas() {
    noClasses()
        .that()
        .resideInAPackage("io.redpacket.sql..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.redpacket.core..", "io.redpacket.kafka..", "io.redpacket.jobs..", "io.redpacket.ingest..",
            "io.redpacket.simulator..", "io.redpacket.stack..", "io.redpacket.cluster..", "io.redpacket.launcher..")
        .check(production);
  }

  @Test
  void jobsDoNotReachTheEdgeOrTheTools() {
    noClasses()
        .that()
        .resideInAPackage("io.redpacket.jobs..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.redpacket.ingest..", "io.redpacket.live..", "io.redpacket.launcher..",
            "io.redpacket.bench..", "io.redpacket.cluster..")
        .check(production);
  }
}
