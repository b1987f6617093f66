// Test target for semgrep-rules/input_validation/typescript.yml (parsed only, never run).
import { NestFactory } from '@nestjs/core';
import { ValidationPipe } from '@nestjs/common';
import { IsEmail, IsString, MinLength, validateOrReject } from 'class-validator';

// ruleid: vibeward.typescript.input_validation.class-validator-dto
export class CreateUserDto {
  @IsEmail()
  email: string;

  @IsString()
  @MinLength(12)
  password: string;
}

// ok: vibeward.typescript.input_validation.class-validator-dto
export class UserEntity {
  id: number;
  email: string;
}

async function bootstrap() {
  const app = await NestFactory.create(AppModule);
  // ruleid: vibeward.typescript.input_validation.nest-validation-pipe
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true }));
  await app.listen(3000);
}

async function check(dto: CreateUserDto) {
  // ruleid: vibeward.typescript.input_validation.class-validator-call
  await validateOrReject(dto);
}
