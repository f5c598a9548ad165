import Linalg
BLASRuntime.ensureFastCoreType()
print(BLASRuntime.coreName, BLASRuntime.threads)
