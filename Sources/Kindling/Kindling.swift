@_exported import KindlingCore
@_exported import KindlingData
@_exported import KindlingExperiments
@_exported import KindlingNN
@_exported import KindlingPlatform
@_exported import KindlingText
