# Install rules, the exported package config (install tree and build tree), and a version file.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(AACO_CMAKE_DIR "${CMAKE_INSTALL_DATADIR}/cmake/aaco")

install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/aaco DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS aaco EXPORT aacoTargets)
install(EXPORT aacoTargets NAMESPACE aaco:: DESTINATION ${AACO_CMAKE_DIR})
export(EXPORT aacoTargets NAMESPACE aaco:: FILE ${PROJECT_BINARY_DIR}/aacoTargets.cmake)

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/aacoConfig.cmake.in
  ${PROJECT_BINARY_DIR}/aacoConfig.cmake INSTALL_DESTINATION ${AACO_CMAKE_DIR})
# Header-only: one package serves every architecture.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/aacoConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion ARCH_INDEPENDENT)
configure_file(${PROJECT_SOURCE_DIR}/cmake/aacoBackendTargets.cmake
  ${PROJECT_BINARY_DIR}/aacoBackendTargets.cmake COPYONLY)

install(FILES ${PROJECT_BINARY_DIR}/aacoConfig.cmake ${PROJECT_BINARY_DIR}/aacoConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/cmake/aacoBackendTargets.cmake
        DESTINATION ${AACO_CMAKE_DIR})
